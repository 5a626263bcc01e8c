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

#include <mutex>
#include <stdexcept>
#include <string>

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
    static std::mutex &mutex();
    ~LibraryLock();
    LibraryLock(const LibraryLock &) = delete;
    LibraryLock &operator=(const LibraryLock &) = delete;

private:
    PyThreadState *saved_ = nullptr;
};

// Routes EXCEPT/ASSERT to ExceptError (called once at import).
void install_except_hook();

void register_config(py::module_ &m);
void register_event_log(py::module_ &m);
void register_submit(py::module_ &m);
void register_schedd(py::module_ &m);
void register_schedd_files(py::module_ &m);
void register_collector(py::module_ &m);
void register_admin(py::module_ &m);

// Marks a job ad for spooled submission: held until Schedd.spool() sends its input files.
void prepare_for_spool(classad::ClassAd &ad);
void register_test(py::module_ &m);

}  // namespace htcpb
