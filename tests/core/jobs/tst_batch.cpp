#include "orfeas/batch.h"
#include "orfeas/errors.h"

#include <QtTest>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>

using namespace orfeas;
namespace fs = std::filesystem;

namespace {
void touch(const fs::path& p)
{
    fs::create_directories(p.parent_path());
    std::ofstream(p) << "x";
}

// Sets environment variables for one scope and restores them.
class EnvScope {
public:
    using Vars = std::vector<std::pair<const char*, const char*>>;
    explicit EnvScope(Vars vars)
    {
        for (const char* name : kAll) {
            const char* old = std::getenv(name);
            m_saved.emplace_back(name, old ? std::optional<std::string>(old) : std::nullopt);
            ::unsetenv(name);
        }
        for (auto& [k, v] : vars)
            ::setenv(k, v, 1);
    }
    ~EnvScope()
    {
        for (auto& [k, v] : m_saved) {
            if (v)
                ::setenv(k, v->c_str(), 1);
            else
                ::unsetenv(k);
        }
    }

private:
    static constexpr const char* kAll[] = {"SLURM_ARRAY_TASK_ID",  "SLURM_ARRAY_TASK_COUNT", "SLURM_ARRAY_TASK_MIN",
                                           "SLURM_ARRAY_TASK_STEP", "JOB_COMPLETION_INDEX",  "ORFEAS_SHARD_COUNT",
                                           "ORFEAS_SHARD_INDEX",    "AWS_BATCH_JOB_ARRAY_INDEX", "SGE_TASK_ID",
                                           "SGE_TASK_FIRST",        "SGE_TASK_LAST",         "SGE_TASK_STEPSIZE"};
    std::vector<std::pair<const char*, std::optional<std::string>>> m_saved;
};
} // namespace

class TestBatch : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void expandsFoldersSortedAndDeduplicated()
    {
        QTemporaryDir tmp;
        const fs::path root = tmp.path().toStdString();
        touch(root / "b.png");
        touch(root / "a.JPG");
        touch(root / "notes.txt");
        touch(root / ".hidden.png");
        touch(root / "sub" / "c.png");
        const auto items = planBatch({(root / "b.png").string(), root.string()});
        QCOMPARE(int(items.size()), 2); // b.png given twice -> once; txt, hidden and subfolder skipped
        QCOMPARE(fs::path(items[0].inputPath).filename().string(), std::string("a.JPG"));
        QCOMPARE(items[1].outputStem, std::string("b"));
        const auto rec = planBatch({root.string()}, true);
        QCOMPARE(int(rec.size()), 3);
    }

    void sameStemsDoNotCollide()
    {
        QTemporaryDir tmp;
        const fs::path root = tmp.path().toStdString();
        touch(root / "x" / "chair.png");
        touch(root / "y" / "chair.png");
        touch(root / "y" / "Chair.jpg");
        const auto items = planBatch({(root / "x").string(), (root / "y").string()});
        QCOMPARE(int(items.size()), 3);
        std::set<std::string> stems;
        for (const auto& i : items)
            stems.insert(i.outputStem);
        QCOMPARE(int(stems.size()), 3);
        QCOMPARE(items[0].outputStem, std::string("chair")); // first in sorted order keeps the plain stem
    }

    void inputOrderDoesNotChangeThePlan()
    {
        QTemporaryDir tmp;
        const fs::path root = tmp.path().toStdString();
        std::vector<std::string> files;
        for (int i = 0; i < 9; ++i) {
            touch(root / ("img" + std::to_string(i) + ".png"));
            files.push_back((root / ("img" + std::to_string(i) + ".png")).string());
        }
        auto a = planBatch(files);
        std::reverse(files.begin(), files.end());
        auto b = planBatch(files);
        QCOMPARE(a.size(), b.size());
        for (std::size_t i = 0; i < a.size(); ++i)
            QCOMPARE(a[i].inputPath, b[i].inputPath);
    }

    void shardsPartitionTheBatch()
    {
        std::vector<BatchItem> items;
        for (int i = 0; i < 10; ++i)
            items.push_back({"/in/" + std::to_string(i), std::to_string(i)});
        std::multiset<std::string> all;
        for (int s = 0; s < 4; ++s)
            for (const auto& it : selectShard(items, s, 4))
                all.insert(it.inputPath);
        QCOMPARE(int(all.size()), 10);
        QCOMPARE(int(std::set<std::string>(all.begin(), all.end()).size()), 10);
        QVERIFY_THROWS_EXCEPTION(ConfigError, selectShard(items, 4, 4));
        QVERIFY_THROWS_EXCEPTION(ConfigError, selectShard(items, 0, 0));
    }

    void parsesShardSpecs()
    {
        EnvScope env(EnvScope::Vars{});
        auto s = parseShard("2/4");
        QCOMPARE(s.index, 2);
        QCOMPARE(s.count, 4);
        for (const char* bad : {"4/4", "-1/4", "a/b", "3", "1/0", "auto"})
            QVERIFY_THROWS_EXCEPTION(ConfigError, parseShard(bad));
    }

    void readsSchedulerEnvironments()
    {
        {
            EnvScope env(EnvScope::Vars{{"SLURM_ARRAY_TASK_ID", "3"}, {"SLURM_ARRAY_TASK_COUNT", "4"}, {"SLURM_ARRAY_TASK_MIN", "1"}});
            auto s = parseShard("auto");
            QCOMPARE(s.index, 2);
            QCOMPARE(s.count, 4);
            QCOMPARE(s.source, std::string("slurm"));
        }
        {
            EnvScope env(EnvScope::Vars{{"JOB_COMPLETION_INDEX", "1"}, {"ORFEAS_SHARD_COUNT", "3"}});
            auto s = parseShard("auto");
            QCOMPARE(s.index, 1);
            QCOMPARE(s.count, 3);
            QCOMPARE(s.source, std::string("kubernetes"));
        }
        {
            EnvScope env(EnvScope::Vars{{"JOB_COMPLETION_INDEX", "1"}});
            QVERIFY_THROWS_EXCEPTION(ConfigError, parseShard("auto")); // count missing
        }
        {
            EnvScope env(EnvScope::Vars{{"SGE_TASK_ID", "5"}, {"SGE_TASK_FIRST", "1"}, {"SGE_TASK_LAST", "8"}});
            auto s = parseShard("auto");
            QCOMPARE(s.index, 4);
            QCOMPARE(s.count, 8);
        }
    }

    void stemsCannotEscapeTheOutputFolder_data()
    {
        QTest::addColumn<QString>("stem");
        QTest::newRow("dotdot") << "..";
        QTest::newRow("traversal") << "../../etc/passwd";
        QTest::newRow("absolute") << "/tmp/evil";
        QTest::newRow("backslash") << "..\\..\\x";
        QTest::newRow("control") << "a\nb\tc";
        QTest::newRow("hidden") << ".bashrc";
        QTest::newRow("empty") << "";
    }
    void stemsCannotEscapeTheOutputFolder()
    {
        QFETCH(QString, stem);
        const std::string s = sanitizeStem(stem.toStdString());
        QVERIFY(!s.empty());
        QVERIFY(s.find('/') == std::string::npos);
        QVERIFY(s.find('\\') == std::string::npos);
        QVERIFY(s != "." && s != "..");
        QVERIFY(s.front() != '.');
        QVERIFY(std::none_of(s.begin(), s.end(), [](unsigned char c) { return c < 0x20; }));
        const fs::path joined = fs::path("/out") / (s + ".glb");
        QCOMPARE(joined.parent_path().string(), std::string("/out"));
    }

    void missingInputIsBadInput()
    {
        QVERIFY_THROWS_EXCEPTION(BadInputError, planBatch({"/nonexistent/for/sure.png"}));
    }
};

QTEST_GUILESS_MAIN(TestBatch)
#include "tst_batch.moc"
