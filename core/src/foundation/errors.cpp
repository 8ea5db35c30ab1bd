#include "orfeas/errors.h"

namespace orfeas {

const char* errorKindName(ErrorKind kind) noexcept
{
    switch (kind) {
    case ErrorKind::BadInput: return "bad_input";
    case ErrorKind::Config: return "config";
    case ErrorKind::Model: return "model";
    case ErrorKind::Device: return "device";
    case ErrorKind::Meshing: return "meshing";
    case ErrorKind::Export: return "export";
    case ErrorKind::Cancelled: return "cancelled";
    case ErrorKind::Internal: return "internal";
    }
    return "unknown";
}

namespace {
std::string decorate(const std::string& message, const std::optional<Stage>& stage, const std::string& path)
{
    std::string out;
    if (stage) {
        out += std::string(stageName(*stage));
        out += ": ";
    }
    out += message;
    if (!path.empty()) {
        out += " [";
        out += path;
        out += "]";
    }
    return out;
}
} // namespace

Error::Error(ErrorKind kind, std::string message, std::optional<Stage> stage, std::string path)
    : std::runtime_error(decorate(message, stage, path))
    , m_kind(kind)
    , m_stage(stage)
    , m_path(std::move(path))
    , m_message(std::move(message))
{
    updateWhat();
}

void Error::addContext(std::optional<Stage> stage, const std::string& path)
{
    if (!m_stage && stage)
        m_stage = stage;
    if (m_path.empty() && !path.empty())
        m_path = path;
    updateWhat();
}

void Error::updateWhat()
{
    m_what = decorate(m_message, m_stage, m_path);
}

} // namespace orfeas
