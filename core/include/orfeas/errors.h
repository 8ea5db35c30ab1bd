#pragma once
// The engine's exception hierarchy. Every error the engine throws derives from orfeas::Error and says in which
// stage and on which file it happened. Third-party errors (LibTorch, Assimp, yaml-cpp) are caught at stage
// boundaries and rethrown as one of these. Only the layer that owns the screen turns them into messages.

#include "orfeas/stage.h"

#include <optional>
#include <stdexcept>
#include <string>

namespace orfeas {

enum class ErrorKind {
    BadInput,   // the user's image or option is unusable
    Config,     // invalid settings or command line
    Model,      // model folder missing, unreadable or inconsistent
    Device,     // GPU unavailable or out of memory
    Meshing,    // surface extraction or mesh processing failed
    Export,     // writing an output file failed
    Cancelled,  // the run was cancelled
    Internal,   // a bug: an invariant did not hold
};

// The machine-readable name of a kind, e.g. "bad_input". Thread-safe.
const char* errorKindName(ErrorKind kind) noexcept;

class Error : public std::runtime_error {
public:
    Error(ErrorKind kind, std::string message, std::optional<Stage> stage = std::nullopt, std::string path = {});

    ErrorKind kind() const noexcept { return m_kind; }
    std::optional<Stage> stage() const noexcept { return m_stage; }
    // The file or folder the error is about; empty if none.
    const std::string& path() const noexcept { return m_path; }
    // The message without stage and path decoration.
    const std::string& message() const noexcept { return m_message; }
    // "<stage>: <message> [<path>]"
    const char* what() const noexcept override { return m_what.c_str(); }
    // Fills in the stage and path where the thrower did not know them (stage boundaries call this before
    // rethrowing). Existing values are kept. Not thread-safe (the error belongs to one thread while in flight).
    void addContext(std::optional<Stage> stage, const std::string& path = {});

private:
    void updateWhat();

    ErrorKind m_kind;
    std::optional<Stage> m_stage;
    std::string m_path;
    std::string m_message;
    std::string m_what;
};

class BadInputError : public Error {
public:
    explicit BadInputError(std::string message, std::string path = {}, std::optional<Stage> stage = Stage::ImageLoading)
        : Error(ErrorKind::BadInput, std::move(message), stage, std::move(path)) {}
};

class ConfigError : public Error {
public:
    explicit ConfigError(std::string message, std::string path = {})
        : Error(ErrorKind::Config, std::move(message), std::nullopt, std::move(path)) {}
};

class ModelError : public Error {
public:
    explicit ModelError(std::string message, std::string path = {}, std::optional<Stage> stage = Stage::ShapeGeneration)
        : Error(ErrorKind::Model, std::move(message), stage, std::move(path)) {}
};

class DeviceError : public Error {
public:
    DeviceError(std::string message, bool outOfMemory = false, std::optional<Stage> stage = Stage::ShapeGeneration)
        : Error(ErrorKind::Device, std::move(message), stage), m_outOfMemory(outOfMemory) {}
    bool isOutOfMemory() const noexcept { return m_outOfMemory; }

private:
    bool m_outOfMemory;
};

class MeshingError : public Error {
public:
    explicit MeshingError(std::string message, std::optional<Stage> stage = Stage::SurfaceExtraction)
        : Error(ErrorKind::Meshing, std::move(message), stage) {}
};

class ExportError : public Error {
public:
    explicit ExportError(std::string message, std::string path = {})
        : Error(ErrorKind::Export, std::move(message), Stage::MeshExport, std::move(path)) {}
};

class CancelledError : public Error {
public:
    explicit CancelledError(std::optional<Stage> stage = std::nullopt)
        : Error(ErrorKind::Cancelled, "cancelled", stage) {}
};

class InternalError : public Error {
public:
    explicit InternalError(std::string message, std::optional<Stage> stage = std::nullopt)
        : Error(ErrorKind::Internal, std::move(message), stage) {}
};

} // namespace orfeas
