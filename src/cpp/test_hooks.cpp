// SPDX-License-Identifier: Apache-2.0
// htcondor._core._test: deliberate failure triggers, one per error path, for tests/test_errors.py.
#include "bindings.h"

#include "condor_debug.h"

namespace htcpb {

void register_test(py::module_ &m) {
    m.doc() = "Failure triggers for the test suite; not part of the API.";

    // EXCEPT as libcondor_utils' own code calls it: _EXCEPT_ in the library formats the message
    // and, without our hook, would exit the process.
    m.def("trigger_except", [](const std::string &message) {
        LibraryLock lock;
        EXCEPT("%s", message.c_str());
    });

    m.def("trigger_assert", [](bool condition) {
        LibraryLock lock;
        ASSERT(condition);
    });

    m.def("raise_error", [](int kind, const std::string &message) {
        if (kind < static_cast<int>(ErrorKind::Enum) || kind > static_cast<int>(ErrorKind::Value)) {
            throw std::out_of_range("no such error kind");
        }
        raise(static_cast<ErrorKind>(kind), message);
    });

    // After an EXCEPT the library must still work: the lock must have been released.
    m.def("lock_is_free", [] {
        LibraryLock lock;
        return true;
    });
}

}  // namespace htcpb
