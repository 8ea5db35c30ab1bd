// The Qt3D viewport really draws: a generated, textured sphere rendered under Xvfb with Mesa, read back with
// QRenderCapture, must cover the expected disc of the image with the texture the right way up, and an empty
// view must be nothing but the clear colour. Needs an X display (xvfb-run); skipped without one.

#include "qt3d_viewport.h"
#include "qt_convert.h"

#include "orfeas/types.h"

#include <QApplication>
#include <QGuiApplication>
#include <QScreen>
#include <QSignalSpy>
#include <QTest>
#include <QVBoxLayout>
#include <QWidget>

#include <cmath>
#include <memory>

using namespace orfeas::ui;

namespace {

// A UV sphere of radius 1 at the origin, textured by front projection: the texture's top half is red, the
// bottom half blue (v grows upwards, the engine's convention).
orfeas::Mesh texturedSphere(int rings = 48, int segments = 96)
{
    orfeas::Mesh m;
    for (int i = 0; i <= rings; ++i) {
        const float theta = float(M_PI) * float(i) / float(rings);
        for (int j = 0; j <= segments; ++j) {
            const float phi = 2.0f * float(M_PI) * float(j) / float(segments);
            const orfeas::Vec3f p{std::sin(theta) * std::sin(phi), std::cos(theta), std::sin(theta) * std::cos(phi)};
            m.positions.push_back(p);
            m.normals.push_back(p);
            m.uvs.push_back({0.5f + 0.5f * p.x, 0.5f + 0.5f * p.y});
        }
    }
    const int row = segments + 1;
    for (int i = 0; i < rings; ++i)
        for (int j = 0; j < segments; ++j) {
            const std::uint32_t a = std::uint32_t(i * row + j), b = a + 1, c = a + std::uint32_t(row), d = c + 1;
            m.indices.insert(m.indices.end(), {a, c, b, b, c, d});
        }
    m.texture.width = m.texture.height = 64;
    m.texture.pixels.resize(64 * 64 * 4);
    for (int y = 0; y < 64; ++y)
        for (int x = 0; x < 64; ++x) {
            std::uint8_t* px = m.texture.pixel(x, y);
            const bool top = y < 32;
            px[0] = top ? 220 : 30;
            px[1] = 30;
            px[2] = top ? 30 : 220;
            px[3] = 255;
        }
    return m;
}

bool isClear(QRgb c)
{
    const QColor clear = Qt3DViewport::clearColor();
    return std::abs(qRed(c) - clear.red()) <= 3 && std::abs(qGreen(c) - clear.green()) <= 3 &&
           std::abs(qBlue(c) - clear.blue()) <= 3;
}

} // namespace

class TestViewportRender : public QObject {
    Q_OBJECT

    std::unique_ptr<QWidget> m_host;
    std::unique_ptr<Qt3DViewport> m_viewport;

    QImage capture()
    {
        QImage result;
        bool done = false;
        m_viewport->captureImage([&](const QImage& image) {
            result = image;
            done = true;
        });
        if (!QTest::qWaitFor([&] { return done; }, 15000))
            return {};
        return result.convertToFormat(QImage::Format_RGB32);
    }

    // Qt3D uploads geometry and textures asynchronously: capture until the frame shows what `ready` wants.
    QImage captureWhen(const std::function<bool(const QImage&)>& ready)
    {
        QImage image;
        for (int attempt = 0; attempt < 40; ++attempt) {
            image = capture();
            if (!image.isNull() && ready(image))
                break;
            QTest::qWait(100);
        }
        return image;
    }

private Q_SLOTS:
    void initTestCase()
    {
        if (qEnvironmentVariableIsEmpty("DISPLAY") || QGuiApplication::platformName() != QLatin1String("xcb"))
            QSKIP("needs an X display (run under xvfb-run with QT_QPA_PLATFORM=xcb)");
        m_host = std::make_unique<QWidget>();
        m_host->resize(480, 360);
        auto* layout = new QVBoxLayout(m_host.get());
        layout->setContentsMargins(0, 0, 0, 0);
        m_viewport = std::make_unique<Qt3DViewport>(m_host.get());
        layout->addWidget(m_viewport->widget());
        m_viewport->setGridVisible(false);
        m_host->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_host.get()));
    }

    void emptyViewIsClearColour()
    {
        const QImage image = captureWhen([](const QImage& i) { return isClear(i.pixel(i.width() / 2, i.height() / 2)); });
        QVERIFY(!image.isNull());
        int notClear = 0;
        for (int y = 0; y < image.height(); y += 4)
            for (int x = 0; x < image.width(); x += 4)
                notClear += isClear(image.pixel(x, y)) ? 0 : 1;
        QCOMPARE(notClear, 0);
    }

    void texturedSphereCoversTheExpectedDisc()
    {
        m_viewport->showMesh(toViewMesh(texturedSphere()));
        QVERIFY(m_viewport->mesh());
        // Above the middle red, below the middle blue once the texture is in (sampled inside the disc).
        const QImage image = captureWhen([](const QImage& i) {
            const QRgb up = i.pixel(i.width() / 2, i.height() / 2 - i.height() / 10);
            return qRed(up) > qBlue(up) + 40;
        });
        QVERIFY(!image.isNull());
        // For looking at a failure: the capture next to what the X server shows.
        if (const QString dir = qEnvironmentVariable("ORFEAS_TEST_SAVE_DIR"); !dir.isEmpty()) {
            image.save(dir + "/viewport_capture.png");
            QGuiApplication::primaryScreen()->grabWindow(0).save(dir + "/viewport_screen.png");
        }
        const int w = image.width(), h = image.height();
        const QRgb up = image.pixel(w / 2, h / 2 - h / 10);
        const QRgb down = image.pixel(w / 2, h / 2 + h / 10);
        QVERIFY2(qRed(up) > qBlue(up) + 40, qPrintable(QColor(up).name()));   // texture the right way up
        QVERIFY2(qBlue(down) > qRed(down) + 40, qPrintable(QColor(down).name()));
        // Corners and points outside the disc stay background; the sphere fills a disc of the expected size.
        for (const QPoint p : {QPoint(2, 2), QPoint(w - 3, 2), QPoint(2, h - 3), QPoint(w - 3, h - 3),
                               QPoint(w / 2 - int(0.3 * h), h / 2), QPoint(w / 2 + int(0.3 * h), h / 2),
                               QPoint(w / 2, h / 2 - int(0.3 * h)), QPoint(w / 2, h / 2 + int(0.3 * h))})
            QVERIFY2(isClear(image.pixel(p)), qPrintable(QStringLiteral("%1,%2").arg(p.x()).arg(p.y())));
        int covered = 0, total = 0;
        for (int y = 0; y < h; y += 2)
            for (int x = 0; x < w; x += 2, ++total)
                covered += isClear(image.pixel(x, y)) ? 0 : 1;
        const double fraction = double(covered) / total;
        // Expected disc: the camera frames the bounding box's sphere (radius sqrt(3) for this unit sphere) at
        // 1.15 times the distance that fits it into the 35 degree vertical field of view.
        const double halfFov = 17.5 * M_PI / 180.0;
        const double distance = 1.15 * std::sqrt(3.0) / std::sin(halfFov);
        const double discRadius = std::tan(std::asin(1.0 / distance)) / std::tan(halfFov) * 0.5 * h; // pixels
        const double expected = M_PI * discRadius * discRadius / (double(w) * h);
        QVERIFY2(std::abs(fraction - expected) < 0.15 * expected,
                 qPrintable(QStringLiteral("covered %1, expected about %2").arg(fraction).arg(expected)));
    }

    void clayShadingIsGrey()
    {
        m_viewport->setShading(Shading::Clay);
        const QImage image = captureWhen([](const QImage& i) {
            const QRgb c = i.pixel(i.width() / 2, i.height() / 2 - i.height() / 10);
            return std::abs(qRed(c) - qBlue(c)) < 40 && !isClear(c);
        });
        const QRgb c = image.pixel(image.width() / 2, image.height() / 2 - image.height() / 10);
        QVERIFY2(std::abs(qRed(c) - qBlue(c)) < 40 && !isClear(c), qPrintable(QColor(c).name()));
        m_viewport->setShading(Shading::Textured);
    }

    void clearingTheMeshEmptiesTheView()
    {
        m_viewport->showMesh(nullptr);
        QVERIFY(!m_viewport->mesh());
        const QImage image = captureWhen([](const QImage& i) { return isClear(i.pixel(i.width() / 2, i.height() / 2)); });
        QVERIFY(isClear(image.pixel(image.width() / 2, image.height() / 2)));
    }

    void cleanupTestCase()
    {
        m_viewport.reset();
        m_host.reset();
    }
};

// Without an X display the xcb platform cannot even start: fall back to offscreen so that the test skips cleanly.
int main(int argc, char** argv)
{
    if (qEnvironmentVariableIsEmpty("DISPLAY"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    TestViewportRender test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}
#include "tst_viewport_render.moc"
