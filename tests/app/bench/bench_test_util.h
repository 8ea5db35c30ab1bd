#pragma once
// Runs the orfeas-bench program and reads its JSON.

#include <QElapsedTimer>
#include <QProcess>
#include <QStringList>

#include <nlohmann/json.hpp>

#include <fstream>
#include <string>

namespace benchtest {

struct Run {
    int code = -1;
    std::string out, err;
    double seconds = 0; // wall time of the whole process, seen from here
};

inline Run runBench(const QStringList& args, int timeoutMs = 240000)
{
    QProcess p;
    p.setProgram(QStringLiteral(ORFEAS_BENCH_EXE));
    p.setArguments(args);
    QElapsedTimer t;
    t.start();
    p.start();
    Run r;
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished();
        r.err = "timed out";
        return r;
    }
    r.seconds = double(t.nsecsElapsed()) / 1e9;
    r.code = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = p.readAllStandardOutput().toStdString();
    r.err = p.readAllStandardError().toStdString();
    return r;
}

inline nlohmann::json readJson(const std::string& path)
{
    std::ifstream in(path);
    return nlohmann::json::parse(in);
}

// min <= median <= p95 <= max, mean within [min, max], count as expected.
inline bool saneSummary(const nlohmann::json& s, std::size_t count)
{
    if (!s.is_object() || s["count"].get<std::size_t>() != count)
        return false;
    const double mn = s["min"], md = s["median"], p95 = s["p95"], mx = s["max"], mean = s["mean"];
    const double eps = 1e-12;
    return mn >= 0 && mn <= md + eps && md <= p95 + eps && p95 <= mx + eps && mean >= mn - eps && mean <= mx + eps;
}

} // namespace benchtest
