#include "orfeas/errors.h"
#include "orfeas/settings.h"

#include <QtTest>

using namespace orfeas;

class TestSettings : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void defaultsAreValid()
    {
        JobSettings s;
        s.validate();
        QCOMPARE(s.steps, 50);
        QCOMPARE(s.guidance, 5.0f);
        QCOMPARE(s.octreeResolution, 384);
    }

    void invalidSetting_data()
    {
        QTest::addColumn<QString>("field");
        QTest::addColumn<QString>("expected");
        QTest::newRow("resolution") << "resolution" << "resolution must be between";
        QTest::newRow("steps") << "steps" << "steps must be between";
        QTest::newRow("faces") << "faces" << "face budget must be between";
        QTest::newRow("texture") << "texture" << "texture size must be between";
        QTest::newRow("device") << "device" << "invalid device 'gpu7'";
        QTest::newRow("formats") << "formats" << "no output format";
    }
    void invalidSetting()
    {
        QFETCH(QString, field);
        QFETCH(QString, expected);
        JobSettings s;
        if (field == "resolution")
            s.resolution = 2;
        else if (field == "steps")
            s.steps = 0;
        else if (field == "faces")
            s.faceBudget = 10;
        else if (field == "texture")
            s.textureSize = 100000;
        else if (field == "device")
            s.device = "gpu7";
        else if (field == "formats")
            s.formats.clear();
        try {
            s.validate();
            QFAIL("validate() accepted an invalid setting");
        } catch (const ConfigError& e) {
            QVERIFY2(std::string(e.what()).find(expected.toStdString()) != std::string::npos, e.what());
            QCOMPARE(e.kind(), ErrorKind::Config);
        }
    }

    void parsesFormatLists()
    {
        auto f = parseFormatList("glb, OBJ,glb,ply");
        QCOMPARE(int(f.size()), 3);
        QCOMPARE(f[0], ExportFormat::Glb);
        QCOMPARE(f[1], ExportFormat::Obj);
        QCOMPARE(f[2], ExportFormat::Ply);
        QVERIFY_THROWS_EXCEPTION(ConfigError, parseFormatList("glb,fbx"));
        QVERIFY_THROWS_EXCEPTION(ConfigError, parseFormatList(" , "));
    }

    void parsesEnums()
    {
        QCOMPARE(parseBackend("Inflate"), BackendChoice::Inflate);
        QCOMPARE(parseBackend("hunyuan3d"), BackendChoice::Hunyuan3D);
        QCOMPARE(parseDecoderMode("dense"), DecoderMode::Dense);
        QCOMPARE(parsePrecision("bf16"), Precision::Bf16);
        QVERIFY_THROWS_EXCEPTION(ConfigError, parseBackend("magic"));
        QVERIFY_THROWS_EXCEPTION(ConfigError, parsePrecision("fp8"));
    }
};

QTEST_GUILESS_MAIN(TestSettings)
#include "tst_settings.moc"
