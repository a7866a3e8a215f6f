// run_aoti: runs an AOTInductor package (torch._inductor.aoti_compile_and_package)
// of a model that calls the ssrl_ecg ops, in C++ with no Python (docs/semantics.md
// section 10.2).
//
//   run_aoti path/to/_ssrl_ecg_ops.so model.pt2 inputs.pt outputs.pt
//
// The compiled model calls the ops through torch's dispatcher, so they must be
// registered before it runs: this program dlopen()s the op library, whose
// static initializers register them. RTLD_GLOBAL is not needed by the ops; it
// only keeps the library's symbols (the C ABI, ssrl_*) reachable by others.
#include <dlfcn.h>

#include <iostream>

#include <torch/csrc/inductor/aoti_package/model_package_loader.h>

#include "tensors_io.h"

int main(int argc, char** argv) {
  if (argc != 5) {
    std::cerr << "usage: " << argv[0] << " _ssrl_ecg_ops.so model.pt2 inputs.pt outputs.pt\n";
    return 2;
  }
  // LibTorch first (linked, so loaded), then the ops: the library names
  // libtorch_cpu by SONAME and finds the copy already loaded.
  if (dlopen(argv[1], RTLD_NOW | RTLD_GLOBAL) == nullptr) {
    std::cerr << "run_aoti: cannot load the ssrl_ecg op library: " << dlerror() << "\n";
    return 1;
  }
  try {
    torch::inductor::AOTIModelPackageLoader loader(argv[2]);
    std::vector<at::Tensor> inputs;
    for (const torch::jit::IValue& v : load_tensors(argv[3])) inputs.push_back(v.toTensor());
    const std::vector<at::Tensor> outputs = loader.run(inputs);
    std::vector<torch::jit::IValue> values(outputs.begin(), outputs.end());
    save_tensors(argv[4], values);
    for (size_t i = 0; i < outputs.size(); ++i) {
      std::cout << "output " << i << ":\n" << outputs[i] << "\n";
    }
  } catch (const std::exception& e) {
    std::cerr << "run_aoti: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
