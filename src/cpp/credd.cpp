// SPDX-License-Identifier: Apache-2.0
// Credential store commands (condor_credd, or a schedd/master for the pool password).  The
// Credd class, user-name handling and the credential producers are Python (htcondor/_credd.py).
//
// Secrets: credentials are copied out of the caller's buffer into memory this file owns and
// zeroed after the request; they never reach a message, a log line or a Python object we make.
#include "bindings.h"
#include "daemon_helpers.h"

#include "condor_commands.h"
#include "daemon.h"
#include "daemon_types.h"
#include "store_cred.h"

#include <cstring>

namespace htcpb {

namespace {

// A credential buffer that wipes itself.
class Secret {
public:
    explicit Secret(const py::object &obj) {
        if (obj.is_none()) {
            return;
        }
        Py_buffer view;
        if (PyObject_GetBuffer(obj.ptr(), &view, PyBUF_SIMPLE) != 0) {
            PyErr_Clear();
            raise(ErrorKind::Value, "credential must be bytes or another object with the buffer protocol");
        }
        const auto *begin = static_cast<const unsigned char *>(view.buf);
        data_.assign(begin, begin + view.len);
        PyBuffer_Release(&view);
    }
    ~Secret() { wipe(); }
    Secret(const Secret &) = delete;
    Secret &operator=(const Secret &) = delete;

    void wipe() {
        if (!data_.empty()) {
            SecureZeroMemory(data_.data(), data_.size());  // not optimised away, unlike memset
        }
    }
    const unsigned char *data() const { return data_.empty() ? nullptr : data_.data(); }
    int size() const { return static_cast<int>(data_.size()); }
    bool empty() const { return data_.empty(); }

private:
    std::vector<unsigned char> data_;
};

// The daemon a request goes to: the Credd's stored address, else the local credd.
std::unique_ptr<Daemon> target(const std::string &address) {
    if (!address.empty()) {
        return std::make_unique<Daemon>(DT_CREDD, address.c_str(), nullptr);
    }
    return std::make_unique<Daemon>(DT_CREDD, nullptr, nullptr);
}

// The library's text for a failed result, or None when the result means success.
py::object failure_text(long long result, int mode) {
    const char *text = nullptr;
    if (!store_cred_failed(result, mode, &text)) {
        return py::none();
    }
    // The library's generic FAILURE text is "Failed"; the request never got an answer.
    if (result == FAILURE) {
        return py::str("Communication error");
    }
    return py::str(text ? text : "unknown credential store failure");
}

// One STORE_CRED request (Kerberos, OAuth, and password modes of 8.9.7 and later).  Returns
// (result code, reply ad).
py::tuple store_cred(const std::string &address, const std::string &user, int mode, const py::object &credential,
                     const std::optional<classad::ClassAd> &service_ad) {
    Secret secret(credential);
    auto reply = std::make_shared<classad::ClassAd>();
    classad::ClassAd request;
    if (service_ad) {
        request = *service_ad;
    }
    long long result;
    {
        LibraryLock lock(true);  // network round trip, possibly waiting for a credmon
        std::unique_ptr<Daemon> daemon = target(address);
        result = do_store_cred(user.c_str(), mode, secret.data(), secret.size(), *reply,
                               service_ad ? &request : nullptr, daemon.get());
        secret.wipe();
    }
    return py::make_tuple(result, reply);
}

// A legacy password request (the pool password, through the master or schedd when no address
// is given).  Returns the result code.
int store_cred_passwd(const std::string &address, const std::string &user, const py::object &password, int mode) {
    Secret secret(password);
    std::string text;
    if (!secret.empty()) {
        text.assign(reinterpret_cast<const char *>(secret.data()), secret.size());
        if (text.find('\0') != std::string::npos) {
            SecureZeroMemory(text.data(), text.size());
            raise(ErrorKind::Value, "password may not contain NUL characters");
        }
    }
    int result;
    {
        LibraryLock lock(true);
        std::unique_ptr<Daemon> daemon;
        if (!address.empty()) {
            daemon = std::make_unique<Daemon>(DT_CREDD, address.c_str(), nullptr);
        }
        result = do_store_cred_passwd(user.c_str(), secret.empty() ? nullptr : text.c_str(), mode, daemon.get());
        SecureZeroMemory(text.data(), text.size());
        secret.wipe();
    }
    return result;
}

// CREDD_CHECK_CREDS: (code, url-or-error).  code < 0: -1 bad arguments, -2 no credd located,
// -3 command not started, -4 communication failure.
py::tuple check_oauth_creds(const std::string &address, const std::vector<classad::ClassAd> &requests) {
    std::vector<const classad::ClassAd *> ptrs;
    ptrs.reserve(requests.size());
    for (const auto &ad : requests) {
        ptrs.push_back(&ad);
    }
    std::string url;
    int rv;
    {
        LibraryLock lock(true);
        std::unique_ptr<Daemon> daemon;
        if (!address.empty()) {
            daemon = std::make_unique<Daemon>(DT_CREDD, address.c_str(), nullptr);
        }
        rv = do_check_oauth_creds(ptrs.data(), static_cast<int>(ptrs.size()), url, daemon.get());
    }
    return py::make_tuple(rv, url);
}

}  // namespace

void register_credd(py::module_ &m) {
    m.def("_store_cred", &store_cred, py::arg("address"), py::arg("user"), py::arg("mode"), py::arg("credential"),
          py::arg("service_ad") = py::none());
    m.def("_store_cred_passwd", &store_cred_passwd);
    m.def("_check_oauth_creds", &check_oauth_creds);
    m.def("_store_cred_failure", &failure_text);
    m.attr("_CRED") = py::dict(
        py::arg("ADD") = GENERIC_ADD, py::arg("DELETE") = GENERIC_DELETE, py::arg("QUERY") = GENERIC_QUERY,
        py::arg("LEGACY_PWD") = STORE_CRED_LEGACY_PWD, py::arg("WAIT_FOR_CREDMON") = STORE_CRED_WAIT_FOR_CREDMON,
        py::arg("SUCCESS") = SUCCESS, py::arg("SUCCESS_PENDING") = SUCCESS_PENDING,
        py::arg("FAILURE_NOT_FOUND") = FAILURE_NOT_FOUND);

    py::dict tables = m.attr("_enum_tables");
    tables["CredTypes"] = py::make_tuple(py::make_tuple("Kerberos", STORE_CRED_USER_KRB),
                                         py::make_tuple("Password", STORE_CRED_USER_PWD),
                                         py::make_tuple("OAuth", STORE_CRED_USER_OAUTH));
}

}  // namespace htcpb
