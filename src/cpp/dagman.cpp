// SPDX-License-Identifier: Apache-2.0
// Submit.from_dag: the first half of condor_submit_dag (DagmanUtils writes <dag>.condor.sub).
// The option names and reading the written file are Python (htcondor/_submit.py).
#include "bindings.h"

#include "dagman_utils.h"

namespace htcpb {

namespace {

// Writes the DAGMan submit description for `dag_file` and returns its path.
// `options`: (DagmanOptions name, value, the caller's name for messages).
std::string write_dag_submit_file(std::string dag_file,
                                  const std::vector<std::tuple<std::string, std::string, std::string>> &options) {
    LibraryLock lock(true);  // reads the DAG file(s), writes the submit file
    DagmanUtils utils;
    utils.usingPythonBindings = true;
    DagmanOptions dag_opts;
    dag_opts.addDAGFile(dag_file);
    // condor_submit_dag's defaults for a first submission.
    dag_opts.set("DoRescueFrom", 0);
    dag_opts.set("UpdateSubmit", false);
    for (const auto &[name, value, key] : options) {
        switch (dag_opts.set(name.c_str(), value)) {
        case SetDagOpt::SUCCESS:
            break;
        case SetDagOpt::INVALID_VALUE:
            raise(ErrorKind::Type, "DAGMan option '" + key + "' needs to be a " + dag_opts.OptValueType(name) + ".");
        case SetDagOpt::NO_VALUE:
            raise(ErrorKind::Value, "empty value provided for DAGMan option " + key);
        default:
            raise(ErrorKind::Value, "unknown DAGMan option " + key);
        }
    }
    str_list attr_lines;
    if (!utils.setUpOptions(dag_opts, attr_lines)) {
        // The library printed its reason; ask the DAG parser again for a message to raise.
        std::string message;
        str_list again;
        if (utils.processDagCommands(dag_opts, again, message) || message.empty()) {
            message = "cannot set up the DAGMan options (see the standard error)";
        }
        raise(ErrorKind::IO, "Failed to process DAG file " + dag_file + ": " + message);
    }
    if (!utils.ensureOutputFilesExist(dag_opts)) {
        raise(ErrorKind::IO, "Unable to write condor_dagman output files (they exist: use the 'force' option)");
    }
    if (!utils.writeSubmitFile(dag_opts, attr_lines)) {
        raise(ErrorKind::IO, "Unable to write condor_dagman submit file " + dag_opts[DagmanShallowOptions::str::SubFile]);
    }
    return dag_opts[DagmanShallowOptions::str::SubFile];
}

}  // namespace

void register_dagman(py::module_ &m) { m.def("_write_dag_submit_file", &write_dag_submit_file); }

}  // namespace htcpb
