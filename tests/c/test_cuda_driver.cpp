// The CUDA driver check (docs/semantics.md section 10.5): one sentence
// naming the CUDA the kernels need and the one the driver supports, forced on a
// machine without a GPU through SSRL_ECG_CUDA_DRIVER_VERSION.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "ssrl_ecg/ssrl_ecg.h"

namespace {

std::string message(int runtime, int driver, ssrl_status *st) {
  char buf[512];
  *st = ssrl_cuda_driver_message(runtime, driver, buf, sizeof buf);
  return buf;
}

}  // namespace

TEST(CudaDriver, NewerOrSameMajorDriverIsFine) {
  ssrl_status st;
  EXPECT_EQ(message(13000, 13000, &st), "");
  EXPECT_EQ(st, SSRL_OK);
  // CUDA's minor version compatibility: 13.2 kernels run on a 13.0 driver.
  EXPECT_EQ(message(13020, 13000, &st), "");
  EXPECT_EQ(st, SSRL_OK);
  message(13000, 13100, &st);
  EXPECT_EQ(st, SSRL_OK);
}

TEST(CudaDriver, OlderDriverNamesBothVersions) {
  ssrl_status st;
  const std::string m = message(13000, 12040, &st);
  EXPECT_EQ(st, SSRL_ERR_CUDA_DRIVER);
  EXPECT_EQ(m,
            "ssrl_ecg: the CUDA kernels were built with CUDA 13.0 and need an NVIDIA driver that "
            "supports CUDA 13.0 or newer (on Linux, driver 580 or newer); this machine's driver "
            "supports CUDA 12.4 (driver API version 12040). Install or update the NVIDIA driver, or "
            "run ssrl_ecg on CPU tensors.");
}

TEST(CudaDriver, NoDriverSaysSo) {
  ssrl_status st;
  const std::string m = message(13000, 0, &st);
  EXPECT_EQ(st, SSRL_ERR_CUDA_DRIVER);
  EXPECT_NE(m.find("no NVIDIA driver was found"), std::string::npos) << m;
}

TEST(CudaDriver, ShortAndNullBuffers) {
  char small[16];
  EXPECT_EQ(ssrl_cuda_driver_message(13000, 12000, small, sizeof small), SSRL_ERR_CUDA_DRIVER);
  EXPECT_EQ(std::string(small), "ssrl_ecg: the C");  // truncated, NUL-terminated
  EXPECT_EQ(ssrl_cuda_driver_message(13000, 12000, nullptr, 0), SSRL_ERR_CUDA_DRIVER);
  EXPECT_EQ(ssrl_cuda_driver_message(13000, 13000, nullptr, 0), SSRL_OK);
}

TEST(CudaDriver, CheckUsesTheInjectedVersion) {
  char buf[512];
  int runtime = 0, driver = 0;
  if (!ssrl_has_cuda()) {
    EXPECT_EQ(ssrl_cuda_versions(&runtime, &driver), SSRL_ERR_NOT_COMPILED);
    EXPECT_EQ(ssrl_cuda_driver_check(buf, sizeof buf), SSRL_ERR_NOT_COMPILED);
    GTEST_SKIP() << "built without CUDA";
  }
  ASSERT_EQ(ssrl_cuda_versions(&runtime, &driver), SSRL_OK);
  EXPECT_GE(runtime, 11000);
  EXPECT_EQ(ssrl_cuda_versions(nullptr, &driver), SSRL_ERR_NULL_POINTER);

  ASSERT_EQ(setenv("SSRL_ECG_CUDA_DRIVER_VERSION", "12040", 1), 0);
  EXPECT_EQ(ssrl_cuda_driver_check(buf, sizeof buf), SSRL_ERR_CUDA_DRIVER);
  EXPECT_NE(std::string(buf).find("supports CUDA 12.4 (driver API version 12040)"),
            std::string::npos) << buf;
  ASSERT_EQ(setenv("SSRL_ECG_CUDA_DRIVER_VERSION", std::to_string(runtime).c_str(), 1), 0);
  EXPECT_EQ(ssrl_cuda_driver_check(buf, sizeof buf), SSRL_OK);
  EXPECT_STREQ(buf, "");
  ASSERT_EQ(setenv("SSRL_ECG_CUDA_DRIVER_VERSION", "not a number", 1), 0);  // ignored
  char truth[512];
  ssrl_status real = ssrl_cuda_driver_message(runtime, driver, truth, sizeof truth);
  EXPECT_EQ(ssrl_cuda_driver_check(buf, sizeof buf), real);
  EXPECT_STREQ(buf, truth);
  unsetenv("SSRL_ECG_CUDA_DRIVER_VERSION");
}
