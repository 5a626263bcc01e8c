// SPDX-License-Identifier: Apache-2.0
// The library-wide lock and the EXCEPT and dprintf-failure hooks.
#include "bindings.h"

#include "condor_debug.h"
#include "condor_config.h"
#include "condor_secman.h"
#include "condor_uid.h"

#include <chrono>
#include <thread>

namespace htcpb {

// A first-come-first-served (ticket) mutex.  std::mutex lets a thread that releases and
// immediately re-takes the lock (a loop of queries) starve a waiting one; a job-queue
// transaction starved between its steps is dropped by the schedd's read timeout.
void FairMutex::lock() {
    std::unique_lock<std::mutex> guard(m_);
    const unsigned long long ticket = next_++;
    cv_.wait(guard, [&] { return serving_ == ticket; });
}

bool FairMutex::try_lock() {
    std::lock_guard<std::mutex> guard(m_);
    if (serving_ != next_) {
        return false;
    }
    ++next_;
    return true;
}

void FairMutex::unlock() {
    {
        std::lock_guard<std::mutex> guard(m_);
        ++serving_;
    }
    cv_.notify_all();
}

// Deliberately leaked: libcondor_utils may still be called from atexit handlers after static
// destructors ran.
FairMutex &LibraryLock::mutex() {
    static auto *m = new FairMutex;
    return *m;
}

namespace {
FairMutex &library_mutex() { return LibraryLock::mutex(); }

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

// dprintf calls this just before exit(44) when it cannot write its log (a full disk, a removed
// directory, ...), after it has closed its files and stopped logging for good.  Throwing
// unwinds out of dprintf instead: the call that was logging raises HTCondorIOError and the
// process carries on without debug output.  (_EXCEPT_ never gets here: except_reporter throws
// first.)  dprintf switched to PRIV_CONDOR for the write, a real switch only as root: switch
// back, to the unswitched state a client process runs in.
int dprintf_failure(int, int error, const char *) {
    if (get_priv() == PRIV_CONDOR) {
        _set_priv(PRIV_ROOT, __FILE__, __LINE__, 0);
        _set_priv(PRIV_UNKNOWN, __FILE__, __LINE__, 0);
    }
    raise(ErrorKind::IO, "Writing the HTCondor debug log failed" +
                             (error ? std::string(" (") + strerror(error) + ")" : std::string()) +
                             "; debug logging is off for the rest of this process.");
}
}  // namespace

namespace {
// SecMan settings made inside `with htcondor.SecMan() as s:` in this thread.  Applied to the
// library for the duration of each locked call and undone afterwards, so other threads never
// see them.
struct ThreadSettings {
    std::vector<std::pair<std::string, std::string>> config;
    std::optional<std::string> tag, pool_password, token, proxy;
    bool active = false;
};
thread_local ThreadSettings thread_settings;

struct Applied {
    std::vector<std::pair<std::string, const char *>> old_config;
    std::vector<std::string> values;  // keep the live values alive while in use
    std::string old_tag, old_pool_password, old_token;
    std::optional<std::string> old_proxy;  // X509_USER_PROXY before the call (unset: nullopt)
};
thread_local Applied applied;

void apply_thread_settings() {
    ThreadSettings &t = thread_settings;
    if (!t.active) {
        return;
    }
    applied.values.clear();
    applied.old_config.clear();
    applied.values.reserve(t.config.size());
    for (const auto &[name, value] : t.config) {
        applied.values.push_back(value);
        applied.old_config.emplace_back(name, set_live_param_value(name.c_str(), applied.values.back().c_str()));
    }
    applied.old_tag = SecMan::getTag();
    applied.old_pool_password = SecMan::getPoolPassword();
    applied.old_token = SecMan::getToken();
    if (t.tag) {
        SecMan::setTag(*t.tag);
    }
    if (t.pool_password) {
        SecMan::setPoolPassword(*t.pool_password);
    }
    if (t.token) {
        SecMan::setToken(*t.token);
    }
    if (t.proxy) {
        // The library finds the X.509 proxy through the environment only.
        const char *old = getenv("X509_USER_PROXY");
        applied.old_proxy = old ? std::optional<std::string>(old) : std::nullopt;
        setenv("X509_USER_PROXY", t.proxy->c_str(), 1);
    }
}

void undo_thread_settings() {
    if (!thread_settings.active) {
        return;
    }
    for (auto it = applied.old_config.rbegin(); it != applied.old_config.rend(); ++it) {
        set_live_param_value(it->first.c_str(), it->second);
    }
    applied.old_config.clear();
    SecMan::setTag(applied.old_tag);
    SecMan::setPoolPassword(applied.old_pool_password);
    SecMan::setToken(applied.old_token);
    if (thread_settings.proxy) {
        if (applied.old_proxy) {
            setenv("X509_USER_PROXY", applied.old_proxy->c_str(), 1);
        } else {
            unsetenv("X509_USER_PROXY");
        }
    }
}
}  // namespace

void set_thread_security(bool active, const std::vector<std::pair<std::string, std::string>> &config,
                         const std::optional<std::string> &tag, const std::optional<std::string> &pool_password,
                         const std::optional<std::string> &token, const std::optional<std::string> &proxy) {
    thread_settings.active = active;
    thread_settings.proxy = proxy;
    thread_settings.config = config;
    thread_settings.tag = tag;
    thread_settings.pool_password = pool_password;
    thread_settings.token = token;
}

LibraryLock::LibraryLock(bool release_gil) {
    FairMutex &m = library_mutex();
    if (release_gil) {
        // Release the GIL first, then block on the mutex: the reverse order could deadlock with a
        // thread that holds the mutex and waits for the GIL.
        saved_ = PyEval_SaveThread();
        m.lock();
    } else if (!m.try_lock()) {
        // Contended: wait without the GIL so other Python threads run meanwhile.
        PyThreadState *ts = PyEval_SaveThread();
        m.lock();
        PyEval_RestoreThread(ts);
    }
    apply_thread_settings();
}

LibraryLock::~LibraryLock() {
    undo_thread_settings();
    library_mutex().unlock();
    if (saved_) {
        PyEval_RestoreThread(saved_);
    }
}

void install_except_hook() {
    _EXCEPT_Reporter = &except_reporter;
    _EXCEPT_Cleanup = &dprintf_failure;
}

namespace queue_gate {
namespace {
struct Gate {
    std::mutex m;
    std::condition_variable cv;
    bool busy = false;
    std::thread::id owner;
};
Gate &gate() {
    static auto *g = new Gate;  // leaked deliberately, like the library mutex
    return *g;
}

// Waits until the gate is free (or this thread owns it, if `own_ok`), then runs `then` under the
// gate's mutex.  The gate's mutex is only ever held without the GIL: a thread holding it never
// waits for the GIL, so a thread holding the GIL can always get it.  Waits in slices so Ctrl-C
// is seen.
template <class Then>
void when_free(bool own_ok, Then then) {
    Gate &g = gate();
    while (true) {
        bool done;
        {
            py::gil_scoped_release nogil;  // another thread's transaction may take a while
            std::unique_lock<std::mutex> lock(g.m);
            const auto me = std::this_thread::get_id();
            done = g.cv.wait_for(lock, std::chrono::milliseconds(500),
                                 [&] { return !g.busy || (own_ok && g.owner == me); });
            if (done) {
                then(g);
            }
        }
        if (done) {
            return;
        }
        if (PyErr_CheckSignals() != 0) {
            throw py::error_already_set();
        }
    }
}
}  // namespace

void acquire() {
    bool mine = false;
    {
        py::gil_scoped_release nogil;
        std::lock_guard<std::mutex> lock(gate().m);
        mine = gate().busy && gate().owner == std::this_thread::get_id();
    }
    if (mine) {
        raise(ErrorKind::IO, "Transaction already in progress for schedd.");
    }
    when_free(false, [](Gate &g) {
        g.busy = true;
        g.owner = std::this_thread::get_id();
    });
}

void release() {
    Gate &g = gate();
    {
        py::gil_scoped_release nogil;
        std::lock_guard<std::mutex> lock(g.m);
        g.busy = false;
        g.owner = std::thread::id();
    }
    g.cv.notify_all();
}

bool blocks_this_thread() {
    std::lock_guard<std::mutex> lock(gate().m);  // never held while waiting for the GIL
    return gate().busy && gate().owner != std::this_thread::get_id();
}

// This thread's own transaction does not block it: its requests go ahead (as in v1).
void wait_until_free() {
    when_free(true, [](Gate &) {});
}
}  // namespace queue_gate

}  // namespace htcpb
