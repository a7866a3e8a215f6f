/*
 * checks.h: argument checks and conversions shared by the CPU and CUDA kernels.
 *
 * Every check names the argument it refuses, and check_status() is the one place
 * where an ssrl_status from the C library becomes an exception. Both throw
 * std::runtime_error through STD_TORCH_CHECK (torch raises it in Python as
 * RuntimeError). The Python wrappers in ssrl_ecg/ops.py check first and raise
 * ValueError/TypeError; these checks guard direct torch.ops.ssrl_ecg calls.
 *
 * Stable ABI only: torch/csrc/stable and torch/headeronly, no ATen or c10.
 */
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>

#include <torch/csrc/stable/device.h>
#include <torch/csrc/stable/tensor.h>
#include <torch/headeronly/core/ScalarType.h>
#include <torch/headeronly/util/Exception.h>

#include "ssrl_ecg/ssrl_ecg.h"

namespace ssrl_ecg_torch {

using torch::headeronly::ScalarType;
using torch::stable::Device;
using torch::stable::Tensor;

/* Refuses `arg` of op `op` unless cond holds; the rest reads as a sentence. */
#define SSRL_TORCH_CHECK_ARG(cond, op, arg, ...) \
  STD_TORCH_CHECK((cond), "ssrl_ecg::", op, ": ", arg, " ", __VA_ARGS__)

/* The one place an ssrl_status becomes an error. Bad values name the tensor that
   holds them; any other code names `arg`, the argument the caller suspects. */
inline void check_status(ssrl_status status, const char* op, const char* arg) {
  if (status == SSRL_OK) {
    return;
  }
  switch (status) {
    case SSRL_ERR_LABEL_VALUE: arg = "y_true"; break;
    case SSRL_ERR_NAN_SCORE: arg = "y_prob"; break;
    case SSRL_ERR_NAN_THRESHOLD: arg = "thresholds"; break;
    default: break;
  }
  STD_TORCH_CHECK(false, "ssrl_ecg::", op, ": ", arg, ": ", ssrl_status_string(status),
                  " (ssrl_status ", static_cast<int>(status), ")");
}

inline std::string device_str(const Device& d) {
  if (d.is_cpu()) {
    return "cpu";
  }
  std::string name =
      d.is_cuda() ? "cuda" : "device type " + std::to_string(static_cast<int>(d.type()));
  return d.has_index() ? name + ":" + std::to_string(d.index()) : name;
}

inline std::string shape_str(const Tensor& t) {
  std::string s = "[";
  for (int64_t i = 0; i < t.dim(); ++i) {
    s += (i ? ", " : "") + std::to_string(t.size(i));
  }
  return s + "]";
}

/* ---- block mask ---------------------------------------------------------- */

struct MaskShape {
  int64_t B, C, T;
  size_t elem_size;
};

/* Masking writes all-zero bytes, which is 0 for each of these and for no other
   dtype of 1, 2, 4 or 8 bytes that torch has (complex32 is 4 bytes but complex). */
inline bool maskable_dtype(ScalarType t) {
  switch (t) {
    case ScalarType::Bool:
    case ScalarType::Byte:
    case ScalarType::Char:
    case ScalarType::Short:
    case ScalarType::Int:
    case ScalarType::Long:
    case ScalarType::UInt16:
    case ScalarType::UInt32:
    case ScalarType::UInt64:
    case ScalarType::Half:
    case ScalarType::BFloat16:
    case ScalarType::Float:
    case ScalarType::Double: return true;
    default: return false;
  }
}

/* Checks the arguments of block_mask and block_mask_ (docs/semantics.md section 1, s.6). */
inline MaskShape check_block_mask_args(const char* op, const Tensor& x, const Tensor& seed,
                                       double mask_ratio, int64_t block_size) {
  SSRL_TORCH_CHECK_ARG(x.dim() == 3, op, "x", "must be 3-D [B, C, T], got ", x.dim(), "-D");
  const ScalarType dt = x.scalar_type();
  SSRL_TORCH_CHECK_ARG(maskable_dtype(dt), op, "x", "has dtype ", torch::headeronly::toString(dt),
                       "; expected bool, an integer or a real floating dtype");
  SSRL_TORCH_CHECK_ARG(seed.scalar_type() == ScalarType::Long, op, "seed",
                       "must be int64 (its bits are the uint64 seed), got ",
                       torch::headeronly::toString(seed.scalar_type()));
  SSRL_TORCH_CHECK_ARG(seed.numel() == 1, op, "seed", "must hold one element, got ", seed.numel());
  SSRL_TORCH_CHECK_ARG(seed.is_cpu() || seed.device() == x.device(), op, "seed",
                       "must be on the CPU or on x's device (", device_str(x.device()), "), got ",
                       device_str(seed.device()));
  SSRL_TORCH_CHECK_ARG(std::isfinite(mask_ratio) && mask_ratio <= 1.0, op, "mask_ratio",
                       "must be finite and <= 1, got ", mask_ratio);
  SSRL_TORCH_CHECK_ARG(block_size >= 1, op, "block_size", "must be >= 1, got ", block_size);
  return MaskShape{x.size(0), x.size(1), x.size(2), x.element_size()};
}

/* The uint64 seed a CPU seed tensor holds (its int64 bits). */
inline uint64_t host_seed(const Tensor& seed) {
  int64_t bits;
  std::memcpy(&bits, seed.const_data_ptr(), sizeof bits);
  return static_cast<uint64_t>(bits);
}

/* ---- confusion counts and AUROC ------------------------------------------ */

struct ScoreShape {
  int64_t N, C;
  ssrl_dtype dtype;        /* of y_prob */
  ssrl_dtype labels_dtype; /* of y_true, read in place (docs/semantics.md section 9.1) */
};

/* The ssrl_dtype of a label tensor: bool, any integer or floating dtype
   (bool is uint8's bytes); false for others (complex, float8, ...). */
inline bool label_dtype_of(ScalarType t, ssrl_dtype* out) {
  switch (t) {
    case ScalarType::Bool:
    case ScalarType::Byte: *out = SSRL_UINT8; return true;
    case ScalarType::Char: *out = SSRL_INT8; return true;
    case ScalarType::Short: *out = SSRL_INT16; return true;
    case ScalarType::Int: *out = SSRL_INT32; return true;
    case ScalarType::Long: *out = SSRL_INT64; return true;
    case ScalarType::UInt16: *out = SSRL_UINT16; return true;
    case ScalarType::UInt32: *out = SSRL_UINT32; return true;
    case ScalarType::UInt64: *out = SSRL_UINT64; return true;
    case ScalarType::Half: *out = SSRL_FLOAT16; return true;
    case ScalarType::BFloat16: *out = SSRL_BFLOAT16; return true;
    case ScalarType::Float: *out = SSRL_FLOAT32; return true;
    case ScalarType::Double: *out = SSRL_FLOAT64; return true;
    default: return false;
  }
}

/* Checks y_true [N, C] (bool, integer or floating, values 0/1) and y_prob
   [N, C] (floating) alike. */
inline ScoreShape check_score_args(const char* op, const Tensor& y_true, const Tensor& y_prob) {
  const ScalarType lt = y_true.scalar_type();
  ssrl_dtype labels_dtype = SSRL_UINT8;
  SSRL_TORCH_CHECK_ARG(label_dtype_of(lt, &labels_dtype), op, "y_true",
                       "must be bool, an integer or a real floating dtype (values 0 and 1), got ",
                       torch::headeronly::toString(lt));
  SSRL_TORCH_CHECK_ARG(y_true.dim() == 2, op, "y_true", "must be 2-D [N, C], got ", y_true.dim(),
                       "-D");
  ssrl_dtype dtype = SSRL_FLOAT32;
  switch (y_prob.scalar_type()) {
    case ScalarType::Float: dtype = SSRL_FLOAT32; break;
    case ScalarType::Double: dtype = SSRL_FLOAT64; break;
    case ScalarType::Half: dtype = SSRL_FLOAT16; break;
    case ScalarType::BFloat16: dtype = SSRL_BFLOAT16; break;
    default:
      SSRL_TORCH_CHECK_ARG(false, op, "y_prob",
                           "must be float32, float64, float16 or bfloat16, got ",
                           torch::headeronly::toString(y_prob.scalar_type()));
  }
  SSRL_TORCH_CHECK_ARG(y_prob.dim() == 2, op, "y_prob", "must be 2-D [N, C], got ", y_prob.dim(),
                       "-D");
  SSRL_TORCH_CHECK_ARG(y_prob.size(0) == y_true.size(0) && y_prob.size(1) == y_true.size(1), op,
                       "y_prob", "must have y_true's shape ", shape_str(y_true), ", got ",
                       shape_str(y_prob));
  SSRL_TORCH_CHECK_ARG(y_prob.device() == y_true.device(), op, "y_prob",
                       "must be on y_true's device (", device_str(y_true.device()), "), got ",
                       device_str(y_prob.device()));
  return ScoreShape{y_prob.size(0), y_prob.size(1), dtype, labels_dtype};
}

/* Checks thresholds [K] float64 on y_prob's device; returns K. */
inline int64_t check_thresholds(const char* op, const Tensor& thresholds, const Tensor& y_prob) {
  SSRL_TORCH_CHECK_ARG(thresholds.scalar_type() == ScalarType::Double, op, "thresholds",
                       "must be float64, got ",
                       torch::headeronly::toString(thresholds.scalar_type()));
  SSRL_TORCH_CHECK_ARG(thresholds.dim() == 1, op, "thresholds", "must be 1-D [K], got ",
                       thresholds.dim(), "-D");
  SSRL_TORCH_CHECK_ARG(thresholds.device() == y_prob.device(), op, "thresholds",
                       "must be on y_prob's device (", device_str(y_prob.device()), "), got ",
                       device_str(thresholds.device()));
  return thresholds.size(0);
}

/* The labels as the C library reads them: in place, of ScoreShape::labels_dtype. */
inline const void* labels(const Tensor& y_true) { return y_true.const_data_ptr(); }

inline uint8_t* mask_bytes(const Tensor& mask) {
  return static_cast<uint8_t*>(mask.mutable_data_ptr());
}

}  // namespace ssrl_ecg_torch
