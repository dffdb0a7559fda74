#include "imaging/imaging.hpp"

#include <dlfcn.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>

extern "C" const unsigned char nc_imaging_module_start[];
extern "C" const unsigned char nc_imaging_module_end[];

namespace nc::media {

namespace {

struct FileDescriptor {
  int fd = -1;
  ~FileDescriptor() {
    if (fd >= 0) ::close(fd);
  }
};

void write_all(int fd, const unsigned char* data, std::size_t size) {
  while (size > 0) {
    const auto written = ::write(fd, data, size);
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0)
      throw std::runtime_error(std::string("cannot write: ") + std::strerror(errno));
    data += written;
    size -= static_cast<std::size_t>(written);
  }
}

// The module's bytes as a file dlopen can read: an anonymous memory file, or where memfd is
// refused (old kernels, some sandboxes) a temporary file that is unlinked once loaded.
void* open_module() {
  const auto size = static_cast<std::size_t>(nc_imaging_module_end - nc_imaging_module_start);
  FileDescriptor file{::memfd_create("neurocards-imaging", MFD_CLOEXEC)};
  std::string path;
  if (file.fd >= 0) {
    path = "/proc/self/fd/" + std::to_string(file.fd);
  } else {
    const char* tmp = std::getenv("TMPDIR");
    path = std::string(tmp && *tmp ? tmp : "/tmp") + "/neurocards-imaging-XXXXXX";
    file.fd = ::mkostemp(path.data(), O_CLOEXEC);
    if (file.fd < 0) {
      throw std::runtime_error("cannot create a file for the imaging module: " +
                               std::string(std::strerror(errno)));
    }
  }
  write_all(file.fd, nc_imaging_module_start, size);
  void* handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!path.starts_with("/proc/")) std::filesystem::remove(path);
  if (!handle)
    throw std::runtime_error(std::string("cannot load the imaging module: ") + ::dlerror());
  return handle;
}

}  // namespace

const ImagingApi& Imaging::api() const {
  std::lock_guard lock(mutex_);
  if (!api_) {
    // Never closed: libvips keeps threads and caches that outlive any one call.
    void* handle = open_module();
    const auto* api = static_cast<const ImagingApi*>(::dlsym(handle, "nc_imaging_api"));
    if (!api) throw std::runtime_error("the imaging module has no nc_imaging_api");
    api_ = api;
  }
  return *api_;
}

}  // namespace nc::media
