// Result<T>: a value or an Error, for calls where failure is normal (bad input, a provider said
// no). Exceptions stay for broken invariants, such as reading the value of a failed result.
#pragma once

#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>

namespace nc::core {

struct Error {
  std::string code;     // stable and machine-readable, e.g. "bad_field"
  std::string message;  // a sentence for logs or a person, e.g. "message.chat.id: missing"

  friend bool operator==(const Error&, const Error&) = default;
};

template <typename T>
class [[nodiscard]] Result {
  static_assert(!std::is_same_v<std::remove_cvref_t<T>, Error>, "Result<Error> is ambiguous");

 public:
  Result(T value) : data_(std::in_place_index<0>, std::move(value)) {}
  Result(Error error) : data_(std::in_place_index<1>, std::move(error)) {}

  bool ok() const noexcept { return data_.index() == 0; }
  explicit operator bool() const noexcept { return ok(); }

  T& value() & {
    check_ok();
    return *std::get_if<0>(&data_);
  }
  const T& value() const& {
    check_ok();
    return *std::get_if<0>(&data_);
  }
  T&& value() && {
    check_ok();
    return std::move(*std::get_if<0>(&data_));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const Error& error() const& {
    if (ok()) throw std::logic_error("Result::error() called on a success");
    return *std::get_if<1>(&data_);
  }
  Error&& error() && {
    if (ok()) throw std::logic_error("Result::error() called on a success");
    return std::move(*std::get_if<1>(&data_));
  }

 private:
  void check_ok() const {
    if (!ok()) {
      throw std::logic_error("Result::value() called on an error: " +
                             std::get_if<1>(&data_)->message);
    }
  }

  std::variant<T, Error> data_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), failed_(true) {}

  bool ok() const noexcept { return !failed_; }
  explicit operator bool() const noexcept { return ok(); }

  const Error& error() const& {
    if (!failed_) throw std::logic_error("Result::error() called on a success");
    return error_;
  }

 private:
  Error error_;
  bool failed_ = false;
};

}  // namespace nc::core
