// SPDX-License-Identifier: Apache-2.0
// The library-wide lock and the EXCEPT hook.
#include "bindings.h"

#include "condor_debug.h"

namespace htcpb {

// Deliberately leaked: libcondor_utils may still be called from atexit handlers after static
// destructors ran.
std::mutex &LibraryLock::mutex() {
    static auto *m = new std::mutex;
    return *m;
}

namespace {
std::mutex &library_mutex() { return LibraryLock::mutex(); }

// EXCEPT formats its message and calls this instead of dprintf + exit(4).  Throwing unwinds out
// of _EXCEPT_ (compiled as C++, so it has unwind tables) before it reaches exit().
void except_reporter(const char *msg, int line, const char *file) {
    std::string text = msg ? msg : "unknown error";
    if (file) {
        text += " (";
        text += file;
        text += ":" + std::to_string(line) + ")";
    }
    throw ExceptError(text);
}
}  // namespace

LibraryLock::LibraryLock(bool release_gil) {
    std::mutex &m = library_mutex();
    if (release_gil) {
        // Release the GIL first, then block on the mutex: the reverse order could deadlock with a
        // thread that holds the mutex and waits for the GIL.
        saved_ = PyEval_SaveThread();
        m.lock();
        return;
    }
    if (!m.try_lock()) {
        // Contended: wait without the GIL so other Python threads run meanwhile.
        PyThreadState *ts = PyEval_SaveThread();
        m.lock();
        PyEval_RestoreThread(ts);
    }
}

LibraryLock::~LibraryLock() {
    library_mutex().unlock();
    if (saved_) {
        PyEval_RestoreThread(saved_);
    }
}

void install_except_hook() { _EXCEPT_Reporter = &except_reporter; }

}  // namespace htcpb
