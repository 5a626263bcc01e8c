// SPDX-License-Identifier: Apache-2.0
// Prelude of every binding translation unit: include it first.
#pragma once

// condor_common.h must come before Python.h: condor_sys_linux.h hides glibc's dprintf while it
// includes <stdio.h>, and condor_debug.h then declares HTCondor's own dprintf.  Including Python.h
// first makes the two declarations collide.
#include "condor_common.h"

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "kind_error.h"
#include "classad/classad_distribution.h"

#include <condition_variable>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace py = pybind11;

namespace htcpb {

// Which HTCondor*Error a failure becomes; the one translator in module.cpp maps these codes.
enum class ErrorKind { Enum, Internal, IO, Locate, Reply, Type, Value };

using Error = KindError<ErrorKind>;

[[noreturn]] inline void raise(ErrorKind kind, const std::string &message) { throw Error(kind, message); }

// Thrown by the EXCEPT hook instead of letting libcondor_utils exit the process.
class ExceptError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class FairMutex {
public:
    void lock();
    bool try_lock();
    void unlock();

private:
    std::mutex m_;
    std::condition_variable cv_;
    unsigned long long next_ = 0;
    unsigned long long serving_ = 0;
};

// libcondor_utils keeps process-global state (config table, security sessions, the one qmgmt
// connection, dprintf) and is not thread-safe: every call into it happens under this lock.
//
// The lock is never waited for while holding the GIL (a thread holding it may be blocked on the
// network with the GIL released and would otherwise stall every Python thread).  Code holding it
// must not call into Python: a Python call can run arbitrary code that needs the lock again.
class LibraryLock {
public:
    // `release_gil`: keep the GIL released for the whole scope (network and file waits).
    // Otherwise the GIL is released only while waiting for the lock (short in-memory calls).
    explicit LibraryLock(bool release_gil = false);
    static FairMutex &mutex();
    ~LibraryLock();
    LibraryLock(const LibraryLock &) = delete;
    LibraryLock &operator=(const LibraryLock &) = delete;

private:
    PyThreadState *saved_ = nullptr;
};

// The process has one job-queue (qmgmt) connection at a time, and while it is open the schedd
// serves nothing else from this process (its main loop waits for the next queue command).  A
// thread opening one takes the queue gate; other threads' schedd requests wait for it to close
// (without the GIL or the library lock) instead of dead-locking with the schedd.
namespace queue_gate {
void acquire();          // waits for other threads' transactions; raises if this thread has one
void release();
void wait_until_free();    // for every other schedd request
bool blocks_this_thread();  // another thread's transaction is open (no waiting)
}  // namespace queue_gate

// The library lock for a request to a schedd: taken only while no other thread's transaction
// is open, checked under the lock itself (so a transaction cannot start between the check and
// the request).
class ScheddLock {
public:
    ScheddLock() {
        while (true) {
            queue_gate::wait_until_free();
            lock_.emplace(true);
            if (!queue_gate::blocks_this_thread()) {
                return;
            }
            lock_.reset();
        }
    }

private:
    std::optional<LibraryLock> lock_;
};

// This thread's SecMan settings (htcondor.SecMan inside `with`), applied during its locked calls.
void set_thread_security(bool active, const std::vector<std::pair<std::string, std::string>> &config,
                         const std::optional<std::string> &tag, const std::optional<std::string> &pool_password,
                         const std::optional<std::string> &token, const std::optional<std::string> &proxy);

// Routes EXCEPT/ASSERT to ExceptError (called once at import).
void install_except_hook();

void register_config(py::module_ &m);
void register_event_log(py::module_ &m);
void register_submit(py::module_ &m);
void register_schedd(py::module_ &m);
void register_schedd_files(py::module_ &m);
void register_collector(py::module_ &m);
void register_admin(py::module_ &m);
void register_credd(py::module_ &m);
void register_tokens(py::module_ &m);
void register_dagman(py::module_ &m);
void register_columns(py::module_ &m);

// Marks a job ad for spooled submission: held until Schedd.spool() sends its input files.
void prepare_for_spool(classad::ClassAd &ad);
void register_test(py::module_ &m);

}  // namespace htcpb
