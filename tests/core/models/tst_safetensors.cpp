#include "orfeas/errors.h"
#include "orfeas/safetensors.h"

#include <QtTest>

#include <cmath>
#include <cstring>
#include <fstream>

using namespace orfeas;

namespace {
std::vector<std::uint8_t> readAll(const std::string& path)
{
    std::ifstream f(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

std::vector<std::uint8_t> makeFile(const std::string& header, std::size_t dataBytes)
{
    std::vector<std::uint8_t> out(8 + header.size() + dataBytes, 0);
    const std::uint64_t n = header.size();
    std::memcpy(out.data(), &n, 8);
    std::memcpy(out.data() + 8, header.data(), header.size());
    return out;
}

void expectModelError(const std::vector<std::uint8_t>& bytes, const char* needle)
{
    try {
        SafetensorsFile::fromBytes(bytes, "mem.safetensors");
        QFAIL(qPrintable(QString("accepted a broken file (expected '%1')").arg(needle)));
    } catch (const ModelError& e) {
        QVERIFY2(std::string(e.what()).find(needle) != std::string::npos, e.what());
        QCOMPARE(e.path(), std::string("mem.safetensors"));
    }
}
} // namespace

class TestSafetensors : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void readsFixtureFloat32AndFloat16()
    {
        const std::string dir = ORFEAS_TEST_DATA_DIR "/hy3d-tiny/";
        SafetensorsFile f32(dir + "model.safetensors");
        SafetensorsFile f16(dir + "model.fp16.safetensors");
        QVERIFY(f32.tensors().size() > 50);
        QCOMPARE(f32.tensors().size(), f16.tensors().size());
        const auto* info = f32.find("model.latent_in.weight");
        QVERIFY(info);
        QCOMPARE(info->dtype, TensorDType::F32);
        QCOMPARE(info->shape, (std::vector<std::int64_t>{64, 16}));
        QCOMPARE(f16.find("model.latent_in.weight")->dtype, TensorDType::F16);
        const auto a = f32.toFloat32("model.latent_in.weight");
        const auto b = f16.toFloat32("model.latent_in.weight");
        for (std::size_t i = 0; i < a.size(); ++i)
            QVERIFY(std::abs(a[i] - b[i]) <= 1e-3f * std::max(1.0f, std::abs(a[i])));
    }

    void roundTripsThroughWriter()
    {
        QTemporaryDir dir;
        const std::vector<float> v = {1.0f, -2.5f, 3.25f, 0.0f, 1e-3f, 65504.0f};
        std::vector<std::uint16_t> h(v.size());
        for (std::size_t i = 0; i < v.size(); ++i)
            h[i] = floatToHalf(v[i]);
        const std::string path = dir.filePath("t.safetensors").toStdString();
        writeSafetensors(path,
                         {{"a", TensorDType::F32, {2, 3}, {reinterpret_cast<const std::uint8_t*>(v.data()), v.size() * 4}},
                          {"b", TensorDType::F16, {6}, {reinterpret_cast<const std::uint8_t*>(h.data()), h.size() * 2}}},
                         {{"format", "pt"}});
        SafetensorsFile f(path);
        QCOMPARE(f.metadata().at("format"), std::string("pt"));
        QCOMPARE(f.toFloat32("a"), v);
        const auto b = f.toFloat32("b");
        for (std::size_t i = 0; i < v.size(); ++i)
            QVERIFY(std::abs(b[i] - v[i]) <= 1e-3f * std::max(1.0f, std::abs(v[i])));
    }

    void halfConversionsRoundCorrectly()
    {
        QCOMPARE(halfToFloat(floatToHalf(1.0f)), 1.0f);
        QCOMPARE(halfToFloat(floatToHalf(-0.0f)), -0.0f);
        QCOMPARE(floatToHalf(65520.0f), std::uint16_t(0x7c00)); // rounds to infinity
        QCOMPARE(halfToFloat(0x0001), std::ldexp(1.0f, -24));   // smallest subnormal
        QCOMPARE(floatToHalf(std::ldexp(1.0f, -24)), std::uint16_t(0x0001));
        QVERIFY(std::isnan(halfToFloat(floatToHalf(NAN))));
        QCOMPARE(bf16ToFloat(floatToBf16(1.5f)), 1.5f);
    }

    void rejectsBrokenFiles_data()
    {
        QTest::addColumn<QByteArray>("header");
        QTest::addColumn<int>("dataBytes");
        QTest::addColumn<QString>("needle");
        QTest::newRow("not json") << QByteArray("{nope") << 0 << "not valid JSON";
        QTest::newRow("offsets outside") << QByteArray(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})") << 4
                                         << "outside the data area";
        QTest::newRow("size mismatch") << QByteArray(R"({"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})") << 8
                                       << "need 12";
        QTest::newRow("bad dtype") << QByteArray(R"({"a":{"dtype":"F8","shape":[2],"data_offsets":[0,2]}})") << 2
                                   << "unsupported dtype";
        QTest::newRow("negative dim") << QByteArray(R"({"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,0]}})") << 0
                                      << "negative";
        QTest::newRow("overlap") << QByteArray(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})")
                                 << 8 << "overlap";
        QTest::newRow("missing fields") << QByteArray(R"({"a":{"dtype":"F32"}})") << 0 << "lacks";
    }
    void rejectsBrokenFiles()
    {
        QFETCH(QByteArray, header);
        QFETCH(int, dataBytes);
        QFETCH(QString, needle);
        expectModelError(makeFile(header.toStdString(), std::size_t(dataBytes)), needle.toUtf8().constData());
    }

    void rejectsTruncatedFixture()
    {
        auto bytes = readAll(ORFEAS_TEST_DATA_DIR "/hy3d-tiny/model.safetensors");
        QVERIFY(bytes.size() > 1000);
        bytes.resize(bytes.size() / 2);
        expectModelError(bytes, "outside the data area");
        std::vector<std::uint8_t> tiny(bytes.begin(), bytes.begin() + 5);
        expectModelError(tiny, "shorter than its 8-byte header");
        std::vector<std::uint8_t> headerCut(bytes.begin(), bytes.begin() + 100);
        expectModelError(headerCut, "runs past the end");
    }

    void missingFileIsModelError()
    {
        QVERIFY_THROWS_EXCEPTION(ModelError, SafetensorsFile("/nonexistent/model.safetensors"));
    }
};

QTEST_GUILESS_MAIN(TestSafetensors)
#include "tst_safetensors.moc"
