// run_torchscript: runs a TorchScript model that calls the ssrl_ecg ops, in C++
// with no Python (docs/semantics.md section 10.1).
//
//   run_torchscript model.pt inputs.pt outputs.pt
//
// inputs.pt holds a tuple of the model's inputs (torch.save in Python); the
// outputs are written as a tuple the same way, and printed. The ops are
// registered because this program links the op library (ssrl_ecg::torch_ops):
// its static initializers run before main().
#include <iostream>

#include "tensors_io.h"

int main(int argc, char** argv) {
  if (argc != 4) {
    std::cerr << "usage: " << argv[0] << " model.pt inputs.pt outputs.pt\n";
    return 2;
  }
  try {
    torch::jit::Module model = torch::jit::load(argv[1]);
    model.eval();
    const torch::jit::IValue result = model.forward(load_tensors(argv[2]));
    std::vector<torch::jit::IValue> outputs =
        result.isTuple() ? result.toTupleRef().elements().vec()
                         : std::vector<torch::jit::IValue>{result};
    save_tensors(argv[3], outputs);
    for (size_t i = 0; i < outputs.size(); ++i) {
      std::cout << "output " << i << ":\n" << outputs[i] << "\n";
    }
  } catch (const std::exception& e) {
    std::cerr << "run_torchscript: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
