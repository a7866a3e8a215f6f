// fuzz_status_string: ssrl_status_string(any int). Invariants: never NULL, a
// short NUL-terminated sentence (read in full, under ASan); the codes
// [0, SSRL_STATUS_COUNT_) each have their own string, anything else gives
// "unknown status".
#include <cstring>
#include <set>
#include <string>

#include "fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  FuzzedDataProvider in(data, size);
  static const int edges[] = {0,
                              1,
                              SSRL_STATUS_COUNT_ - 1,
                              SSRL_STATUS_COUNT_,
                              SSRL_STATUS_COUNT_ + 1,
                              -1,
                              INT32_MIN,
                              INT32_MAX,
                              255,
                              256,
                              65536};
  const int code = in.ConsumeBool() ? in.PickValueInArray(edges) : in.ConsumeIntegral<int>();
  std::snprintf(fz::g_call, sizeof fz::g_call, "ssrl_status_string(%d)", code);
  fz::announce();
  const char *s = ssrl_status_string(static_cast<ssrl_status>(code));
  FUZZ_CHECK(s != nullptr);
  const size_t len = std::strlen(s);
  FUZZ_CHECK(len > 0 && len < 200);
  const bool known = code >= 0 && code < SSRL_STATUS_COUNT_;
  FUZZ_CHECK(known == (std::strcmp(s, "unknown status") != 0));
  if (known) {
    // Distinct from every other code's string; stable across calls.
    for (int other = 0; other < SSRL_STATUS_COUNT_; ++other)
      if (other != code)
        FUZZ_CHECK(std::strcmp(s, ssrl_status_string(static_cast<ssrl_status>(other))) != 0);
    FUZZ_CHECK(ssrl_status_string(static_cast<ssrl_status>(code)) == s);
  }
  return 0;
}
