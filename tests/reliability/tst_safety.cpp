// Safety policies, each proven by a test:
//  - outputs never leave the chosen output folder, whatever the input names or stems (.., absolute paths,
//    separators, control characters);
//  - symlinks: a symlink named like an output is never written through. Without overwrite it is an existing file
//    (refused); with overwrite the link itself is replaced by the new file (rename), its target is untouched.
//    Temporaries are created with O_EXCL | O_NOFOLLOW, so a symlink planted under a temporary's name cannot
//    redirect the write either;
//  - no user string reaches a shell: the sources call no system/popen/exec*/posix_spawn/wordexp, and dlopen only
//    with literal library names (scanned here, so a new call fails this test);
//  - limits on image pixels and sides, file size, volume resolution, face budget and texture size are enforced
//    with clear errors, before any large allocation;
//  - model folders are read, never executed: no pickle is ever opened (checked with inotify), YAML tags do nothing.
#include "reliability_support.h"

#include "foundation/atomic_file.h"
#include "orfeas/batch.h"
#include "orfeas/errors.h"
#include "orfeas/image_io.h"
#include "orfeas/marching_cubes.h"
#include "orfeas/model_config.h"
#include "orfeas/neural.h"
#include "orfeas/pipeline.h"

#include <QtTest>

#include <chrono>
#include <regex>
#include <set>

#include <sys/inotify.h>
#include <unistd.h>

using namespace orfeas;
namespace fs = std::filesystem;

namespace {

JobRequest quickRequest(const fs::path& out, const std::string& stem)
{
    JobRequest r;
    r.image = reltest::subjectImage(48, 7);
    r.inputName = "input.png";
    r.outputDir = out.string();
    r.outputStem = stem;
    r.settings = reltest::quickSettings();
    return r;
}

// Every entry below `root`, recursively, as relative paths (to compare a tree before and after a run).
std::set<std::string> tree(const fs::path& root)
{
    std::set<std::string> out;
    std::error_code ec;
    for (fs::recursive_directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec))
        out.insert(fs::relative(it->path(), root).string());
    return out;
}

std::vector<std::uint8_t> be32(std::uint32_t v)
{
    return {std::uint8_t(v >> 24), std::uint8_t(v >> 16), std::uint8_t(v >> 8), std::uint8_t(v)};
}

// A PNG signature and IHDR claiming w x h (no pixel data): enough for the header check.
std::vector<std::uint8_t> pngHeader(std::uint32_t w, std::uint32_t h)
{
    std::vector<std::uint8_t> b = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R'};
    for (auto v : {w, h})
        for (auto x : be32(v))
            b.push_back(x);
    for (std::uint8_t x : {8, 6, 0, 0, 0, 0, 0, 0, 0})
        b.push_back(x); // depth 8, RGBA, ..., CRC (ignored before the size check)
    b.resize(64, 0);
    return b;
}

std::vector<std::uint8_t> bmpHeader(std::int32_t w, std::int32_t h)
{
    std::vector<std::uint8_t> b(54, 0);
    b[0] = 'B';
    b[1] = 'M';
    b[10] = 54;
    b[14] = 40;
    std::memcpy(&b[18], &w, 4);
    std::memcpy(&b[22], &h, 4);
    b[26] = 1;
    b[28] = 24;
    b.resize(128, 0);
    return b;
}

std::vector<std::uint8_t> jpegHeader(std::uint16_t w, std::uint16_t h)
{
    std::vector<std::uint8_t> b = {0xFF, 0xD8, 0xFF, 0xC0, 0x00, 0x11, 0x08, std::uint8_t(h >> 8), std::uint8_t(h),
                                   std::uint8_t(w >> 8), std::uint8_t(w), 0x03, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1};
    b.resize(256, 0);
    return b;
}

std::string stripComments(const std::string& src)
{
    std::string out;
    out.reserve(src.size());
    for (std::size_t i = 0; i < src.size();) {
        if (src.compare(i, 2, "//") == 0) {
            i = src.find('\n', i);
            if (i == std::string::npos)
                break;
        } else if (src.compare(i, 2, "/*") == 0) {
            const auto end = src.find("*/", i + 2);
            i = end == std::string::npos ? src.size() : end + 2;
        } else {
            out.push_back(src[i++]);
        }
    }
    return out;
}

// Records which files of a folder are opened while it is watched.
class OpenWatch {
public:
    explicit OpenWatch(const fs::path& dir)
    {
        m_fd = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
        if (m_fd >= 0)
            ::inotify_add_watch(m_fd, dir.c_str(), IN_OPEN | IN_ACCESS);
    }
    ~OpenWatch()
    {
        if (m_fd >= 0)
            ::close(m_fd);
    }
    bool ok() const { return m_fd >= 0; }
    std::set<std::string> opened()
    {
        std::set<std::string> names;
        alignas(inotify_event) char buf[8192];
        for (;;) {
            const ssize_t n = ::read(m_fd, buf, sizeof buf);
            if (n <= 0)
                break;
            for (ssize_t at = 0; at < n;) {
                const auto* e = reinterpret_cast<const inotify_event*>(buf + at);
                if (e->len > 0)
                    names.insert(e->name);
                at += ssize_t(sizeof(inotify_event) + e->len);
            }
        }
        return names;
    }

private:
    int m_fd = -1;
};

} // namespace

class TestSafety : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void outputStemsStayInside_data()
    {
        QTest::addColumn<QByteArray>("stem");
        QTest::newRow("parent") << QByteArray("../escape");
        QTest::newRow("grandparent") << QByteArray("../../etc/passwd");
        QTest::newRow("absolute") << QByteArray("/tmp/orfeas-absolute-escape");
        QTest::newRow("nested") << QByteArray("a/b/c");
        QTest::newRow("dot-dot") << QByteArray("..");
        QTest::newRow("dot") << QByteArray(".");
        QTest::newRow("hidden") << QByteArray(".bashrc");
        QTest::newRow("backslashes") << QByteArray("..\\..\\win");
        QTest::newRow("control characters") << QByteArray("a\x01\x1b[2Jb\x7f");
        QTest::newRow("spaces and dots only") << QByteArray(" . . ");
        QTest::newRow("very long") << QByteArray(400, 'x') + "/../../y";
    }

    // A hostile stem (from a GUI field, a script, an input name) cannot make the engine write outside.
    void outputStemsStayInside()
    {
        QFETCH(QByteArray, stem);
        QTemporaryDir tmp;
        const fs::path root = tmp.path().toStdString();
        const fs::path out = root / "a" / "b" / "out";
        fs::create_directories(out);
        const auto before = tree(root);
        const JobRequest r = quickRequest(out, stem.toStdString());
        for (const auto& p : plannedOutputs(r))
            QCOMPARE(fs::path(p).lexically_normal().parent_path(), out);
        RunContext ctx;
        const JobResult result = runJob(r, ctx);
        for (const auto& p : result.outputs)
            QCOMPARE(fs::path(p).lexically_normal().parent_path(), out);
        for (const auto& p : tree(root)) // only new entries directly inside out/
            if (!before.count(p))
                QVERIFY2(fs::path(p).parent_path() == fs::path("a/b/out"), p.c_str());
        QVERIFY(!fs::exists("/tmp/orfeas-absolute-escape.glb"));
    }

    // Input names with dots, spaces and control characters, inputs given through "..": safe, unique stems.
    void batchNamesAreSanitised()
    {
        QTemporaryDir tmp;
        const fs::path root = tmp.path().toStdString();
        const fs::path in = root / "in";
        fs::create_directories(in / "sub");
        for (const char* name : {"..png", "...png", " .png", "a..b.png", "x\x01y.png", "-rf .png", "$(touch pwned).png",
                                 ".hidden.png"})
            std::ofstream(in / name) << "x";
        std::ofstream(in / "sub" / "deep.png") << "x";
        // Names starting with a dot are hidden files: a folder listing skips them, unless one is named explicitly.
        const auto items = planBatch({in.string(), (in / "sub" / ".." / "sub" / "deep.png").string(),
                                      (in / "..png").string()});
        QCOMPARE(int(items.size()), 7);
        std::set<std::string> stems;
        for (const auto& item : items) {
            QVERIFY2(!item.outputStem.empty() && item.outputStem.front() != '.', item.outputStem.c_str());
            QVERIFY(item.outputStem.find('/') == std::string::npos);
            QVERIFY(item.outputStem.find('\x01') == std::string::npos);
            QVERIFY(stems.insert(item.outputStem).second);
            QVERIFY2(item.inputPath.find("/../") == std::string::npos, item.inputPath.c_str());
        }
        QVERIFY(!fs::exists(root / "pwned") && !fs::exists("pwned"));
    }

    void symlinkNamedLikeAnOutput_data()
    {
        QTest::addColumn<bool>("overwrite");
        QTest::addColumn<bool>("dangling");
        QTest::addColumn<bool>("toFolder");
        QTest::newRow("to a file, no overwrite") << false << false << false;
        QTest::newRow("to a file, overwrite") << true << false << false;
        QTest::newRow("dangling, no overwrite") << false << true << false;
        QTest::newRow("dangling, overwrite") << true << true << false;
        QTest::newRow("to a folder, no overwrite") << false << false << true;
        QTest::newRow("to a folder, overwrite") << true << false << true;
    }

    void symlinkNamedLikeAnOutput()
    {
        QFETCH(bool, overwrite);
        QFETCH(bool, dangling);
        QFETCH(bool, toFolder);
        QTemporaryDir tmp;
        const fs::path root = tmp.path().toStdString();
        const fs::path out = root / "out";
        const fs::path elsewhere = root / "elsewhere";
        fs::create_directories(out);
        fs::create_directories(elsewhere);
        const fs::path target = elsewhere / (toFolder ? "folder" : "precious.glb");
        if (toFolder)
            fs::create_directory(target);
        else if (!dangling)
            std::ofstream(target) << "precious";
        fs::create_symlink(target, out / "subject.glb");
        const auto elsewhereBefore = tree(elsewhere);

        JobRequest r = quickRequest(out, "subject");
        r.overwrite = overwrite;
        RunContext ctx;
        try {
            runJob(r, ctx);
            QVERIFY2(overwrite, "an existing symlink was replaced without overwrite");
            QVERIFY(!fs::is_symlink(out / "subject.glb"));
            QVERIFY(reltest::glbComplete(out / "subject.glb"));
        } catch (const ExportError& e) {
            QVERIFY2(!overwrite, e.what());
            QVERIFY2(e.message().find("already exists") != std::string::npos, e.what());
            QVERIFY(fs::is_symlink(out / "subject.glb"));
        }
        // Whatever happened, nothing was written where the link pointed.
        QCOMPARE(tree(elsewhere), elsewhereBefore);
        if (!toFolder && !dangling)
            QCOMPARE(reltest::readText(target), std::string("precious"));
        QVERIFY(!fs::exists(target) || toFolder || !dangling);
    }

    // Someone who can write to a shared output folder plants symlinks under the names our temporaries would get.
    // The write must not follow them.
    void temporaryNamesCannotBeHijacked()
    {
        QTemporaryDir tmp;
        const fs::path root = tmp.path().toStdString();
        const fs::path out = root / "out";
        fs::create_directories(out);
        const fs::path victim = root / "victim.txt";
        std::ofstream(victim) << "precious";

        // Directly: writing a temporary that is a symlink fails and leaves the target alone.
        const std::string tmpPath = detail::temporaryPathFor((out / "x.glb").string());
        fs::create_symlink(victim, tmpPath);
        const std::uint8_t bytes[] = {1, 2, 3};
        QVERIFY_THROWS_EXCEPTION(ExportError, detail::writeWholeFile(tmpPath, bytes));
        QCOMPARE(reltest::readText(victim), std::string("precious"));
        fs::remove(tmpPath);

        // The next names of the counter, planted in bulk: a real export does not write through any of them.
        const std::string probe = detail::temporaryPathFor((out / "subject.glb").string());
        const std::string prefix = probe.substr(0, probe.rfind('-') + 1);
        const unsigned long next = std::stoul(probe.substr(probe.rfind('-') + 1)) + 1;
        for (unsigned long n = next; n < next + 64; ++n)
            for (const char* name : {"subject.glb", "subject.report.json"}) {
                std::string p = prefix;
                p.replace(p.find("subject.glb"), 11, name);
                fs::create_symlink(victim, p + std::to_string(n));
            }
        JobRequest r = quickRequest(out, "subject");
        RunContext ctx;
        try {
            runJob(r, ctx);
            QVERIFY(reltest::glbComplete(out / "subject.glb"));
        } catch (const ExportError& e) {
            qInfo("refused: %s", e.what()); // refusing is safe too
        }
        QCOMPARE(reltest::readText(victim), std::string("precious"));
    }

    // No user string reaches a shell or a program loader: the calls that could do it do not exist in the sources.
    void noShellNoExecNoPickle()
    {
        const std::regex forbidden(R"(\b(system|popen|execl|execlp|execle|execv|execvp|execvpe|posix_spawnp?|wordexp|)"
                                   R"(fork|vfork)\s*\(|QProcess|torch::load|torch::jit::load|pickle_load|)"
                                   R"(_load_for_mobile|Py_Initialize|PyRun_)");
        const std::regex dlopenCall(R"(\bdlopen\s*\(\s*([^,]*),)");
        int files = 0;
        std::vector<std::string> hits;
        for (const char* area : {"core", "app", "ui"}) {
            const fs::path dir = fs::path(ORFEAS_SOURCE_DIR) / area;
            if (!fs::exists(dir))
                continue;
            for (const auto& e : fs::recursive_directory_iterator(dir)) {
                const std::string ext = e.path().extension().string();
                if (ext != ".cpp" && ext != ".h" && ext != ".cu" && ext != ".cuh" && ext != ".hpp")
                    continue;
                ++files;
                std::string code = stripComments(reltest::readText(e.path()));
                // The locale's system() is not the C library's.
                for (std::size_t at; (at = code.find("QLocale::system(")) != std::string::npos;)
                    code.erase(at, 16);
                std::smatch m;
                if (std::regex_search(code, m, forbidden))
                    hits.push_back(e.path().string() + ": " + m.str());
                for (auto it = std::sregex_iterator(code.begin(), code.end(), dlopenCall); it != std::sregex_iterator();
                     ++it) {
                    const std::string arg = (*it)[1].str();
                    // Only the NVML loop over literal names (gpu_monitor.cpp) may call dlopen.
                    if (e.path().filename() != "gpu_monitor.cpp" || arg != "name")
                        hits.push_back(e.path().string() + ": dlopen(" + arg + ")");
                }
            }
        }
        qInfo("%d source files scanned", files);
        QVERIFY(files > 50);
        QVERIFY2(hits.empty(), hits.empty() ? "" : hits.front().c_str());
        const std::string monitor = reltest::readText(fs::path(ORFEAS_SOURCE_DIR) / "core/src/report/gpu_monitor.cpp");
        QVERIFY(monitor.find(R"({"libnvidia-ml.so.1", "libnvidia-ml.so"})") != std::string::npos);
    }

    void imageLimits_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("expected");
        auto qb = [](const std::vector<std::uint8_t>& v) { return QByteArray(reinterpret_cast<const char*>(v.data()), int(v.size())); };
        QTest::newRow("PNG wider than 16384") << qb(pngHeader(16385, 1)) << "16384-pixel limit";
        QTest::newRow("PNG of 81 megapixels") << qb(pngHeader(9000, 9000)) << "64-megapixel limit";
        QTest::newRow("PNG of 4 gigapixels") << qb(pngHeader(65535, 65535)) << "16384-pixel limit";
        QTest::newRow("PNG of width 0") << qb(pngHeader(0, 10)) << "no pixels";
        QTest::newRow("PNG width 2^31") << qb(pngHeader(0x80000000u, 1)) << "limit";
        QTest::newRow("BMP of 16385 rows") << qb(bmpHeader(4, 16385)) << "16384-pixel limit";
        QTest::newRow("BMP of 12000 x 12000") << qb(bmpHeader(12000, -12000)) << "64-megapixel limit";
        QTest::newRow("JPEG of 65000 x 65000") << qb(jpegHeader(65000, 65000)) << "16384-pixel limit";
        QTest::newRow("JPEG of 9000 x 9000") << qb(jpegHeader(9000, 9000)) << "64-megapixel limit";
    }

    // Oversized images are refused from their header: fast, without allocating the pixels.
    void imageLimits()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(QString, expected);
        const auto t0 = std::chrono::steady_clock::now();
        try {
            loadImageFromMemory({reinterpret_cast<const std::uint8_t*>(bytes.data()), std::size_t(bytes.size())},
                                "big.img");
            QFAIL("an oversized image was decoded");
        } catch (const BadInputError& e) {
            QVERIFY2(QString::fromStdString(e.message()).contains(expected), e.what());
            QCOMPARE(e.path(), std::string("big.img"));
        }
        const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
        QVERIFY2(ms < 200, "refusing took long: was something decoded or allocated?");
    }

    // A file far larger than any image within the limits is refused before it is read (sparse: no disk used).
    void imageFileSizeLimit()
    {
        QTemporaryDir tmp;
        const fs::path big = fs::path(tmp.path().toStdString()) / "huge.png";
        {
            std::ofstream f(big, std::ios::binary);
            const auto header = pngHeader(100, 100);
            f.write(reinterpret_cast<const char*>(header.data()), std::streamsize(header.size()));
        }
        fs::resize_file(big, (std::uintmax_t(1) << 30) + 1);
        try {
            loadImage(big.string());
            QFAIL("a file over 1 GiB was read");
        } catch (const BadInputError& e) {
            qInfo("%s", e.what());
            QVERIFY2(e.message().find("MiB") != std::string::npos, e.what());
        }
    }

    void settingLimits_data()
    {
        QTest::addColumn<QString>("field");
        QTest::addColumn<QString>("expected");
        QTest::newRow("resolution") << "resolution" << "resolution";
        QTest::newRow("octree") << "octree" << "octree resolution";
        QTest::newRow("faces") << "faces" << "face budget";
        QTest::newRow("texture") << "texture" << "texture size";
        QTest::newRow("steps") << "steps" << "steps";
        QTest::newRow("image size") << "imageSize" << "image size";
    }

    // Volume size (grid cells per axis), face budget, texture size, steps: refused above the limits, with the name
    // of the setting and the accepted range; runJob refuses before loading anything.
    void settingLimits()
    {
        QFETCH(QString, field);
        QFETCH(QString, expected);
        JobSettings s = reltest::quickSettings();
        if (field == "resolution")
            s.resolution = Limits::kMaxResolution + 1;
        else if (field == "octree")
            s.octreeResolution = Limits::kMaxResolution * 4;
        else if (field == "faces")
            s.faceBudget = int(Limits::kMaxFaces + 1);
        else if (field == "texture")
            s.textureSize = Limits::kMaxTextureSize * 2;
        else if (field == "steps")
            s.steps = Limits::kMaxSteps + 1;
        else
            s.imageSize = 100000;
        JobRequest r;
        r.inputPath = "/nonexistent/never-read.png";
        r.settings = s;
        RunContext ctx;
        try {
            runJob(r, ctx);
            QFAIL("an out-of-range setting was accepted");
        } catch (const ConfigError& e) {
            qInfo("%s", e.what());
            QVERIFY2(QString::fromStdString(e.message()).contains(expected), e.what());
        }
    }

    // The face budget is a hard ceiling on what is exported; an invalid volume is refused by surface extraction.
    void faceBudgetAndVolumeChecks()
    {
        JobRequest r;
        r.image = reltest::subjectImage(96, 1);
        r.settings = reltest::quickSettings();
        r.settings.resolution = 96;
        r.settings.faceBudget = 0;
        RunContext a;
        const auto full = runJob(r, a);
        r.settings.faceBudget = 500;
        RunContext b;
        const auto reduced = runJob(r, b);
        qInfo("faces: %zu unreduced, %zu with a budget of 500", full.mesh.faceCount(), reduced.mesh.faceCount());
        QVERIFY(full.mesh.faceCount() > 2000);
        QVERIFY(reduced.mesh.faceCount() <= 500);

        Volume v;
        v.nx = v.ny = v.nz = 4;
        v.spacing = {1, 1, 1};
        v.values.assign(10, 0.f); // fewer values than points
        QVERIFY_THROWS_EXCEPTION(MeshingError, marchingCubes(v, 0.f));
        v.values.assign(64, 0.f);
        v.spacing = {0, 1, 1};
        QVERIFY_THROWS_EXCEPTION(MeshingError, marchingCubes(v, 0.f));
    }

    // A folder with only a pickle checkpoint is refused, and the pickle is never even opened.
    void pickleOnlyFolderIsNeverOpened()
    {
        QTemporaryDir tmp;
        const fs::path model = fs::path(tmp.path().toStdString()) / "pickled";
        fs::create_directories(model);
        fs::copy_file(fs::path(ORFEAS_TEST_DATA_DIR) / "hy3d-tiny" / "config.yaml", model / "config.yaml");
        std::ofstream(model / "model.fp16.ckpt") << "PK\x03\x04 pretend this is a torch zip pickle";
        OpenWatch watch(model);
        QVERIFY(watch.ok());
        try {
            locateWeightsFile(model.string());
            QFAIL("a pickle-only folder was accepted");
        } catch (const ModelError& e) {
            QVERIFY2(e.message().find("pickle") != std::string::npos && e.message().find("never read") != std::string::npos,
                     e.what());
        }
        HunyuanLoadOptions o;
        o.modelPath = model.string();
        o.device = "cpu";
        RunContext ctx;
        QVERIFY_THROWS_EXCEPTION(ModelError, loadHunyuan3DBackend(o, ctx));
        // And through the CLI.
        const fs::path input = fs::path(tmp.path().toStdString()) / "in.png";
        writePng(reltest::subjectImage(48, 1), input.string());
        const auto r = reltest::runOrfeas({"generate", QString::fromStdString(input.string()), "-o",
                                           QString::fromStdString((fs::path(tmp.path().toStdString()) / "o").string()),
                                           "--backend", "hunyuan3d", "--device", "cpu", "--model",
                                           QString::fromStdString(model.string())});
        const QString said = QString::fromUtf8(r.out + r.err);
        qInfo("CLI: exit %d: %s", r.exitCode, qPrintable(said.trimmed()));
        QVERIFY(r.exitCode == 1 || r.exitCode == 2);
        QVERIFY2(said.contains("pickle") || said.contains("LibTorch"), qPrintable(said));
        // The watch itself works: a file this test opens is seen.
        std::ifstream(model / "config.yaml").get();
        const auto opened = watch.opened();
        QVERIFY2(opened.count("config.yaml"), "inotify saw nothing: the check below would prove nothing");
        QVERIFY2(!opened.count("model.fp16.ckpt"), "the pickle checkpoint was opened");
    }

    // YAML is data: Python tags in config.yaml are not evaluated (yaml-cpp has no constructors for them).
    void yamlTagsDoNothing()
    {
        QTemporaryDir tmp;
        const fs::path marker = fs::path(tmp.path().toStdString()) / "pwned";
        std::string yaml = reltest::readText(fs::path(ORFEAS_TEST_DATA_DIR) / "hy3d-tiny" / "config.yaml");
        yaml += "\nexploit: !!python/object/apply:os.system ['touch " + marker.string() + "']\n";
        yaml += "exploit2: !!python/object/new:subprocess.Popen [['touch', '" + marker.string() + "']]\n";
        try {
            const auto cfg = parseHunyuanModelConfig(yaml, "evil/config.yaml");
            QVERIFY(!hunyuanParameterManifest(cfg).empty()); // unknown keys are ignored
        } catch (const ModelError& e) {
            qInfo("refused: %s", e.what());
        }
        QVERIFY(!fs::exists(marker));
    }
};

QTEST_GUILESS_MAIN(TestSafety)
#include "tst_safety.moc"
