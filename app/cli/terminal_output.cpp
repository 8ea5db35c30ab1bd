#include "terminal_output.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <iomanip>
#include <map>
#include <mutex>
#include <ostream>
#include <sstream>

namespace orfeas::cli {

namespace {

using Clock = std::chrono::steady_clock;

std::string baseName(const std::string& path)
{
    const auto slash = path.find_last_of('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string seconds(double s)
{
    std::ostringstream os;
    os << std::fixed << std::setprecision(s < 10 ? 2 : 1) << s << " s";
    return os.str();
}

class HumanOutput : public BatchOutput {
public:
    HumanOutput(std::ostream& out, std::ostream& err, bool terminal, bool verbose)
        : m_out(out)
        , m_err(err)
        , m_terminal(terminal)
        , m_verbose(verbose)
    {
    }

    void batchStarted(int toRun, int skipped, const std::string& shardText) override
    {
        std::lock_guard lock(m_mutex);
        m_total = toRun;
        m_out << "orfeas: " << toRun << (toRun == 1 ? " image" : " images") << " to generate";
        if (skipped)
            m_out << ", " << skipped << " already done (skipped)";
        if (!shardText.empty())
            m_out << " [shard " << shardText << "]";
        m_out << "\n";
        m_out.flush();
    }

    void skipped(const std::string& input, const std::vector<std::string>&) override
    {
        std::lock_guard lock(m_mutex);
        if (m_verbose)
            printLine("skip  " + baseName(input) + " (outputs exist)");
    }

    void jobEvent(const JobEvent& e) override
    {
        std::lock_guard lock(m_mutex);
        if (e.type == JobEvent::Type::Finished || e.type == JobEvent::Type::Queued)
            return; // jobFinished() reports the outcome
        auto& job = m_jobs[e.id];
        if (job.name.empty())
            job.name = baseName(e.input);
        switch (e.type) {
        case JobEvent::Type::Started:
            job.running = true;
            job.started = Clock::now();
            job.index = ++m_started;
            break;
        case JobEvent::Type::Progress: {
            const std::string stage(stageName(e.progress.stage));
            if (stage != job.stage && m_verbose && !job.stage.empty() && !m_terminal)
                printLine("      " + job.name + ": " + job.stage + " done");
            job.stage = stage;
            job.fraction = e.progress.fraction;
            job.detail = e.progress.message;
            break;
        }
        case JobEvent::Type::Log:
            if (e.logLevel >= LogLevel::Warning || m_verbose)
                printLine(std::string(e.logLevel >= LogLevel::Warning ? "warn  " : "info  ") + job.name + ": " + e.text,
                          e.logLevel >= LogLevel::Warning);
            break;
        case JobEvent::Type::Queued:
        case JobEvent::Type::Finished:
            break;
        }
        redraw(false);
    }

    void jobFinished(JobId id, const RunReport& r) override
    {
        std::lock_guard lock(m_mutex);
        auto it = m_jobs.find(id);
        const std::string name = it != m_jobs.end() ? it->second.name : baseName(r.input);
        std::ostringstream os;
        os << "[" << ++m_finished << "/" << m_total << "] ";
        if (r.status == "done") {
            os << "done  " << name << " in " << seconds(r.totalSeconds) << " (" << r.faces << " faces)";
            for (const auto& o : r.outputs)
                if (o.size() < 12 || o.compare(o.size() - 12, 12, ".report.json") != 0)
                    os << "\n        -> " << o;
            printLine(os.str());
        } else if (r.status == "cancelled") {
            os << "cancelled " << name;
            printLine(os.str(), true);
        } else {
            os << "FAILED " << name << ": " << r.errorMessage;
            printLine(os.str(), true);
        }
        if (it != m_jobs.end())
            m_jobs.erase(it);
        redraw(true);
    }

    void message(LogLevel level, const std::string& text) override
    {
        std::lock_guard lock(m_mutex);
        printLine(text, level >= LogLevel::Warning);
    }

    void batchFinished(const BatchSummary& s) override
    {
        std::lock_guard lock(m_mutex);
        clearBars();
        std::ostringstream os;
        os << "orfeas: " << s.done << " done";
        if (s.failed)
            os << ", " << s.failed << " failed";
        if (s.cancelled)
            os << ", " << s.cancelled << " cancelled";
        if (s.skipped)
            os << ", " << s.skipped << " skipped";
        os << " in " << seconds(s.wallSeconds);
        if (s.interrupted)
            os << " (interrupted)";
        m_out << os.str() << "\n";
        if (!s.outputDir.empty())
            m_out << "outputs: " << s.outputDir << "\n";
        for (const auto& f : s.reportFiles)
            m_out << "report:  " << f << "\n";
        m_out.flush();
    }

private:
    struct Job {
        std::string name;
        std::string stage;
        std::string detail;
        double fraction = 0;
        bool running = false;
        int index = 0;
        Clock::time_point started;
    };

    void printLine(const std::string& line, bool toErr = false)
    {
        clearBars();
        (toErr ? m_err : m_out) << line << "\n";
        (toErr ? m_err : m_out).flush();
        redraw(true);
    }

    void clearBars()
    {
        if (!m_terminal || m_drawn == 0)
            return;
        for (int i = 0; i < m_drawn; ++i)
            m_out << "\x1b[1A\x1b[2K";
        m_out << "\r";
        m_drawn = 0;
    }

    void redraw(bool force)
    {
        if (!m_terminal)
            return;
        const auto now = Clock::now();
        if (!force && now - m_lastDraw < std::chrono::milliseconds(80))
            return;
        m_lastDraw = now;
        clearBars();
        for (const auto& [id, job] : m_jobs) {
            if (!job.running)
                continue;
            constexpr int kWidth = 24;
            const int filled = int(job.fraction * kWidth + 0.5);
            std::ostringstream os;
            os << std::setw(20) << std::left << job.name.substr(0, 20) << " " << std::setw(19) << job.stage << " ["
               << std::string(std::size_t(filled), '#') << std::string(std::size_t(kWidth - filled), '.') << "] "
               << std::setw(3) << std::right << int(job.fraction * 100) << "%  "
               << seconds(std::chrono::duration<double>(now - job.started).count());
            if (!job.detail.empty())
                os << "  " << job.detail.substr(0, 40);
            m_out << os.str() << "\n";
            ++m_drawn;
        }
        m_out.flush();
    }

    std::ostream& m_out;
    std::ostream& m_err;
    bool m_terminal;
    bool m_verbose;
    std::mutex m_mutex;
    std::map<JobId, Job> m_jobs;
    int m_total = 0, m_started = 0, m_finished = 0, m_drawn = 0;
    Clock::time_point m_lastDraw{};
};

class JsonOutput : public BatchOutput {
public:
    explicit JsonOutput(std::ostream& out)
        : m_out(out)
    {
    }

    void batchStarted(int toRun, int skipped, const std::string& shardText) override
    {
        emit({{"event", "batch_started"}, {"to_run", toRun}, {"skipped", skipped}, {"shard", shardText}});
    }

    void skipped(const std::string& input, const std::vector<std::string>& existing) override
    {
        emit({{"event", "skipped"}, {"input", input}, {"outputs", existing}});
    }

    void jobEvent(const JobEvent& e) override
    {
        nlohmann::ordered_json j;
        const std::string& input = e.input;
        switch (e.type) {
        case JobEvent::Type::Queued:
            j = {{"event", "queued"}, {"job", e.id}, {"input", input}};
            break;
        case JobEvent::Type::Started:
            j = {{"event", "started"}, {"job", e.id}, {"input", input}};
            break;
        case JobEvent::Type::Progress: {
            const std::string stage(stageName(e.progress.stage));
            {
                std::lock_guard lock(m_mutex);
                auto& last = m_lastProgress[e.id];
                const auto now = Clock::now();
                const bool boundary = stage != last.stage || e.progress.fraction >= 1.0 || e.progress.fraction <= 0.0;
                if (!boundary && now - last.when < std::chrono::milliseconds(100))
                    return;
                last = {stage, now};
            }
            j = {{"event", "progress"}, {"job", e.id}, {"input", input}, {"stage", stage},
                 {"fraction", e.progress.fraction}};
            if (!e.progress.subStage.empty())
                j["sub_stage"] = e.progress.subStage;
            if (e.progress.totalSteps > 0) {
                j["step"] = e.progress.step;
                j["total_steps"] = e.progress.totalSteps;
            }
            if (!e.progress.message.empty())
                j["message"] = e.progress.message;
            break;
        }
        case JobEvent::Type::Log:
            j = {{"event", "log"}, {"job", e.id}, {"level", logLevelName(e.logLevel)}, {"message", e.text}};
            break;
        case JobEvent::Type::Finished:
            return; // jobFinished carries the details
        }
        emit(j);
    }

    void jobFinished(JobId id, const RunReport& r) override
    {
        nlohmann::ordered_json j;
        j["event"] = r.status == "done" ? "done" : r.status;
        j["job"] = id;
        j["input"] = r.input;
        j["seconds"] = r.totalSeconds;
        if (r.status == "done") {
            j["outputs"] = r.outputs;
            j["faces"] = r.faces;
        } else {
            j["error_kind"] = r.errorKind;
            j["stage"] = r.errorStage;
            j["message"] = r.errorMessage;
        }
        emit(j);
        std::lock_guard lock(m_mutex);
        m_lastProgress.erase(id);
    }

    void message(LogLevel level, const std::string& text) override
    {
        emit({{"event", "log"}, {"level", logLevelName(level)}, {"message", text}});
    }

    void batchFinished(const BatchSummary& s) override
    {
        emit({{"event", "batch_finished"},
              {"total", s.total},
              {"done", s.done},
              {"failed", s.failed},
              {"cancelled", s.cancelled},
              {"skipped", s.skipped},
              {"wall_seconds", s.wallSeconds},
              {"interrupted", s.interrupted},
              {"output_dir", s.outputDir},
              {"reports", s.reportFiles}});
    }

private:
    void emit(const nlohmann::ordered_json& j)
    {
        std::lock_guard lock(m_mutex);
        m_out << j.dump() << "\n";
        m_out.flush();
    }

    struct Last {
        std::string stage;
        Clock::time_point when;
    };
    std::ostream& m_out;
    std::mutex m_mutex;
    std::map<JobId, Last> m_lastProgress;
};

} // namespace

std::unique_ptr<BatchOutput> makeHumanOutput(std::ostream& out, std::ostream& err, bool terminal, bool verbose)
{
    return std::make_unique<HumanOutput>(out, err, terminal, verbose);
}

std::unique_ptr<BatchOutput> makeJsonOutput(std::ostream& out)
{
    return std::make_unique<JsonOutput>(out);
}

} // namespace orfeas::cli
