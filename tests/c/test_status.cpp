// The status table, version queries and the CUDA build flag.
#include <gtest/gtest.h>

#include <cstring>
#include <set>
#include <string>

#include "ssrl_ecg/ssrl_ecg.h"

TEST(Status, EveryCodeHasItsOwnString) {
  std::set<std::string> seen;
  for (int s = 0; s < SSRL_STATUS_COUNT_; ++s) {
    const char *str = ssrl_status_string(static_cast<ssrl_status>(s));
    ASSERT_NE(str, nullptr);
    EXPECT_GT(std::strlen(str), 3u);
    EXPECT_TRUE(seen.insert(str).second) << "duplicate string for " << s;
  }
  EXPECT_STREQ(ssrl_status_string(SSRL_OK), "success");
  EXPECT_STREQ(ssrl_status_string(static_cast<ssrl_status>(-1)), "unknown status");
  EXPECT_STREQ(ssrl_status_string(static_cast<ssrl_status>(SSRL_STATUS_COUNT_)), "unknown status");
}

TEST(Status, CodesAreStable) {
  EXPECT_EQ(SSRL_OK, 0);
  EXPECT_NE(SSRL_ERR_INVALID_ARGUMENT, SSRL_ERR_SHAPE);
}

TEST(Version, RuntimeMatchesHeader) {
  EXPECT_EQ(ssrl_version_number(), static_cast<unsigned>(SSRL_ECG_VERSION_NUMBER));
  EXPECT_STREQ(ssrl_version_string(), SSRL_ECG_VERSION_STRING);
}

TEST(Build, CudaEntryPointsExistInEveryBuild) {
  size_t bytes = 0;
  ssrl_status st = ssrl_auroc_cuda_workspace_size(10, 2, SSRL_FLOAT32, &bytes);
  // With CUDA, CUB sizes its scratch for the current device: no device, SSRL_ERR_CUDA.
  if (ssrl_has_cuda()) EXPECT_TRUE(st == SSRL_OK || st == SSRL_ERR_CUDA) << ssrl_status_string(st);
  else EXPECT_EQ(st, SSRL_ERR_NOT_COMPILED);
}
