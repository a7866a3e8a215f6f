// tensors_io.h: a tuple of tensors from and to a file torch.save/torch.load
// read and write in Python (torch::pickle_load / torch::pickle_save).
#pragma once

#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <vector>

#include <torch/script.h>
#include <torch/serialize.h>

inline std::vector<torch::jit::IValue> load_tensors(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const torch::jit::IValue value = torch::pickle_load(bytes);
  return value.toTupleRef().elements().vec();
}

inline void save_tensors(const std::string& path, const std::vector<torch::jit::IValue>& values) {
  const std::vector<char> bytes = torch::pickle_save(c10::ivalue::Tuple::create(values));
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error("cannot write " + path);
}
