// Image decoding: bad input is refused with the right error, every format round-trips, PNG encoding is
// deterministic. All files are generated here.

#include "orfeas/errors.h"
#include "orfeas/image_io.h"

#include "test_images.h"

#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <chrono>

// An independent PNG decoder for the encoder's output (static: the engine has its own copy of stb_image).
#define STB_IMAGE_STATIC
#define STB_IMAGE_IMPLEMENTATION
#define STBI_ONLY_PNG
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#include <stb_image.h>
#pragma GCC diagnostic pop

#ifdef ORFEAS_TEST_HAVE_WEBP
#include <webp/encode.h>
#endif

using namespace orfeas;
using testimg::Bytes;

Q_DECLARE_METATYPE(testimg::Bytes)

namespace {

int maxAbsDiff(const ImageRGBA8& a, const ImageRGBA8& b, bool alpha = true)
{
    if (a.width != b.width || a.height != b.height)
        return 1 << 20;
    int m = 0;
    for (std::size_t i = 0; i < a.pixels.size(); ++i)
        if (alpha || i % 4 != 3)
            m = std::max(m, std::abs(int(a.pixels[i]) - int(b.pixels[i])));
    return m;
}

Bytes truncated(Bytes b, double keep)
{
    b.resize(std::size_t(double(b.size()) * keep));
    return b;
}

// A smooth photo-like image (JPEG-friendly).
ImageRGBA8 smoothImage(int w, int h)
{
    return testimg::makeImage(w, h, [&](int x, int y, std::uint8_t* p) {
        p[0] = std::uint8_t(128 + 100 * std::sin(x * 0.05));
        p[1] = std::uint8_t(128 + 100 * std::cos(y * 0.07));
        p[2] = std::uint8_t((x + y) % 256);
        p[3] = 255;
    });
}

} // namespace

class TestImageIo : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void badInput_data();
    void badInput();
    void craftedHugeHeaderIsRefusedQuickly();
    void pngRoundTripIsExact();
    void pngLayouts_data();
    void pngLayouts();
    void jpegRoundTrip();
    void jpegExifOrientation();
    void bmpAndTgaRoundTrip();
    void webpRoundTrip();
    void formatComesFromBytesNotExtension();
    void probeReadsHeaders();
    void mutatedFilesNeverCrash();
    void encodePngIsDeterministic();
    void encodedPngBandsDecodeEverywhere();
    void writePngIsAtomicAndRefusesToOverwrite();
};

void TestImageIo::badInput_data()
{
    QTest::addColumn<QString>("fileName");
    QTest::addColumn<Bytes>("bytes");
    QTest::addColumn<QString>("fragment");

    const Bytes png = encodePng(testimg::noiseImage(64, 64, 7, true));
    const Bytes jpeg = testimg::encodeJpeg(smoothImage(128, 128), 90);
    const std::string text = "name,score\nalice,3\nbob,4\n";
    Bytes corruptPng = png;
    corruptPng[corruptPng.size() / 2] ^= 0xFF; // breaks the IDAT CRC

    QTest::newRow("empty file") << "empty.png" << Bytes {} << "empty file";
    QTest::newRow("truncated png") << "cut.png" << truncated(png, 0.5) << "truncated PNG data";
    QTest::newRow("png cut inside header") << "cut2.png" << truncated(png, 0.002) << "truncated";
    QTest::newRow("corrupt png") << "bad.png" << corruptPng << "corrupt PNG data";
    QTest::newRow("truncated jpeg") << "cut.jpg" << truncated(jpeg, 0.6) << "truncated JPEG data";
    QTest::newRow("jpeg without frame") << "cut2.jpg" << Bytes(jpeg.begin(), jpeg.begin() + 20) << "truncated JPEG";
    QTest::newRow("text named png") << "notes.png" << Bytes(text.begin(), text.end()) << "not an image (text file?)";
    QTest::newRow("png claiming 40000x40000") << "huge.png" << testimg::craftedPngHeader(40000, 40000)
                                              << "image is 40000x40000, larger than the 16384-pixel limit";
    QTest::newRow("png over the megapixel limit")
        << "wide.png" << testimg::craftedPngHeader(16000, 16000) << "more than the 64-megapixel limit";
    QTest::newRow("png claiming 0 width") << "zero.png" << testimg::craftedPngHeader(0, 10) << "no pixels";
    const ImageRGBA8 small = testimg::noiseImage(8, 8, 3, false);
    QTest::newRow("bmp absurd width") << "absurd.bmp" << testimg::encodeBmp(small, 24, 100000, 8)
                                      << "image is 100000x8, larger than the 16384-pixel limit";
    QTest::newRow("bmp negative huge height")
        << "absurd2.bmp" << testimg::encodeBmp(small, 24, 8, -70000) << "image is 8x70000";
    QTest::newRow("bmp zero width") << "zero.bmp" << testimg::encodeBmp(small, 24, 0, 8) << "no pixels";
    QTest::newRow("bmp truncated") << "cut.bmp" << truncated(testimg::encodeBmp(smoothImage(64, 64)), 0.7)
                                   << "truncated BMP data";
    QTest::newRow("tga absurd size") << "absurd.tga" << testimg::encodeTga(small, false, 65535, 65535)
                                     << "image is 65535x65535, larger than the 16384-pixel limit";
    QTest::newRow("tga truncated") << "cut.tga" << truncated(testimg::encodeTga(smoothImage(64, 64), true), 0.5)
                                   << "truncated TGA data";
    const std::string gif = "GIF89a\x01\x00\x01\x00\x80\x00\x00";
    QTest::newRow("gif") << "anim.png" << Bytes(gif.begin(), gif.end()) << "GIF images are not supported";
    const std::string svg = "<?xml version=\"1.0\"?><svg xmlns=\"http://www.w3.org/2000/svg\"></svg>";
    QTest::newRow("svg") << "logo.png" << Bytes(svg.begin(), svg.end()) << "SVG or XML text file";
    Bytes binary = { 0x00, 0x13, 0x37, 0xFE, 0x00, 0x01, 0x02, 0x03, 0x99, 0x98, 0x97, 0x96, 0x00, 0x00, 0x00, 0x00,
        0x10, 0x20, 0x30, 0x40 };
    QTest::newRow("unknown binary") << "blob.jpg" << binary << "unknown format";
#ifdef ORFEAS_TEST_HAVE_WEBP
    {
        const ImageRGBA8 img = smoothImage(48, 40);
        std::uint8_t* out = nullptr;
        const std::size_t n = WebPEncodeLosslessRGBA(img.pixels.data(), img.width, img.height, img.width * 4, &out);
        Bytes webp(out, out + n);
        WebPFree(out);
        QTest::newRow("truncated webp") << "cut.webp" << truncated(webp, 0.6) << "truncated WebP data";
    }
#endif
}

void TestImageIo::badInput()
{
    QFETCH(QString, fileName);
    QFETCH(Bytes, bytes);
    QFETCH(QString, fragment);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const std::string path = dir.filePath(fileName).toStdString();
    testimg::writeFile(path, bytes);
    try {
        loadImage(path);
        QFAIL("accepted a bad file");
    } catch (const BadInputError& e) {
        QVERIFY2(e.message().find(fragment.toStdString()) != std::string::npos, e.what());
        QCOMPARE(e.stage(), std::optional<Stage>(Stage::ImageLoading));
        QCOMPARE(e.path(), path);
        QCOMPARE(e.kind(), ErrorKind::BadInput);
    }
    // The same bytes from memory give the same verdict.
    QVERIFY_THROWS_EXCEPTION(BadInputError, loadImageFromMemory(bytes, "mem"));
}

void TestImageIo::craftedHugeHeaderIsRefusedQuickly()
{
    // 40000 x 40000 RGBA would be 6.4 GB: refusing it must not even try to allocate. Timing is a weak proxy,
    // the message proves the header check ran first (it names the claimed size).
    const Bytes b = testimg::craftedPngHeader(40000, 40000);
    const auto t0 = std::chrono::steady_clock::now();
    QVERIFY_THROWS_EXCEPTION(BadInputError, loadImageFromMemory(b, "huge.png"));
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    QVERIFY2(ms < 50, qPrintable(QString::number(ms)));
}

void TestImageIo::pngRoundTripIsExact()
{
    const ImageRGBA8 img = testimg::noiseImage(97, 61, 11, true);
    const ImageRGBA8 back = loadImageFromMemory(encodePng(img), "rt.png");
    QCOMPARE(back.width, 97);
    QCOMPARE(back.height, 61);
    QVERIFY(back.pixels == img.pixels);
}

void TestImageIo::pngLayouts_data()
{
    QTest::addColumn<int>("colorType");
    QTest::addColumn<int>("bitDepth");
    QTest::addColumn<bool>("interlaced");
    QTest::newRow("grey 8") << int(PNG_COLOR_TYPE_GRAY) << 8 << false;
    QTest::newRow("grey 1") << int(PNG_COLOR_TYPE_GRAY) << 1 << false;
    QTest::newRow("grey 16") << int(PNG_COLOR_TYPE_GRAY) << 16 << false;
    QTest::newRow("grey+alpha 8") << int(PNG_COLOR_TYPE_GRAY_ALPHA) << 8 << false;
    QTest::newRow("rgb 8") << int(PNG_COLOR_TYPE_RGB) << 8 << false;
    QTest::newRow("rgba 16") << int(PNG_COLOR_TYPE_RGB_ALPHA) << 16 << false;
    QTest::newRow("rgba 8 interlaced") << int(PNG_COLOR_TYPE_RGB_ALPHA) << 8 << true;
    QTest::newRow("rgb 16 interlaced") << int(PNG_COLOR_TYPE_RGB) << 16 << true;
    QTest::newRow("palette + tRNS") << int(PNG_COLOR_TYPE_PALETTE) << 8 << false;
    QTest::newRow("palette 4-bit interlaced") << int(PNG_COLOR_TYPE_PALETTE) << 4 << true;
}

void TestImageIo::pngLayouts()
{
    QFETCH(int, colorType);
    QFETCH(int, bitDepth);
    QFETCH(bool, interlaced);
    const int w = 37, h = 23; // odd sizes exercise every Adam7 pass and row padding
    testimg::PngLayout layout;
    layout.colorType = colorType;
    layout.bitDepth = bitDepth;
    layout.interlaced = interlaced;
    const int levels = 1 << std::min(bitDepth, 8);
    if (colorType == PNG_COLOR_TYPE_PALETTE) {
        for (int i = 0; i < levels; ++i)
            layout.palette.push_back({ png_byte(i * 7), png_byte(255 - i * 3), png_byte(i * 13) });
        for (int i = 0; i < levels; ++i)
            layout.paletteAlpha.push_back(png_byte(i % 3 == 0 ? 0 : 255 - i));
    }
    // Expected 8-bit value of a sample (16-bit files store v * 257, which must come back as v exactly).
    auto value8 = [&](int x, int y, int c) { return unsigned((x * 31 + y * 17 + c * 59) % 256); };
    auto sample = [&](int x, int y, int c) -> unsigned {
        if (colorType == PNG_COLOR_TYPE_PALETTE || bitDepth < 8)
            return unsigned((x + 3 * y) % levels);
        return bitDepth == 16 ? value8(x, y, c) * 257 : value8(x, y, c);
    };
    const Bytes file = testimg::encodePngLayout(w, h, layout, sample);
    const ImageRGBA8 img = loadImageFromMemory(file, "layout.png");
    QCOMPARE(img.width, w);
    QCOMPARE(img.height, h);
    for (int y = 0; y < h; ++y) {
        for (int x = 0; x < w; ++x) {
            const std::uint8_t* p = img.pixel(x, y);
            std::uint8_t e[4];
            if (colorType == PNG_COLOR_TYPE_PALETTE) {
                const unsigned i = sample(x, y, 0);
                e[0] = layout.palette[i].red;
                e[1] = layout.palette[i].green;
                e[2] = layout.palette[i].blue;
                e[3] = layout.paletteAlpha[i];
            } else if (bitDepth < 8) {
                const std::uint8_t v = std::uint8_t(sample(x, y, 0) * (255 / (levels - 1)));
                e[0] = e[1] = e[2] = v;
                e[3] = 255;
            } else if (colorType == PNG_COLOR_TYPE_GRAY || colorType == PNG_COLOR_TYPE_GRAY_ALPHA) {
                e[0] = e[1] = e[2] = std::uint8_t(value8(x, y, 0));
                e[3] = colorType == PNG_COLOR_TYPE_GRAY_ALPHA ? std::uint8_t(value8(x, y, 1)) : 255;
            } else {
                for (int c = 0; c < 3; ++c)
                    e[c] = std::uint8_t(value8(x, y, c));
                e[3] = colorType == PNG_COLOR_TYPE_RGB_ALPHA ? std::uint8_t(value8(x, y, 3)) : 255;
            }
            for (int c = 0; c < 4; ++c)
                if (p[c] != e[c])
                    QFAIL(qPrintable(QString("pixel (%1,%2) channel %3: got %4, expected %5")
                                         .arg(x)
                                         .arg(y)
                                         .arg(c)
                                         .arg(p[c])
                                         .arg(e[c])));
        }
    }
}

void TestImageIo::jpegRoundTrip()
{
    const ImageRGBA8 img = smoothImage(120, 90);
    const ImageRGBA8 back = loadImageFromMemory(testimg::encodeJpeg(img, 100), "rt.jpg");
    QCOMPARE(back.width, 120);
    QCOMPARE(back.height, 90);
    const int err = maxAbsDiff(img, back);
    qInfo("JPEG q100 max abs error: %d", err);
    QVERIFY2(err <= 12, qPrintable(QString::number(err))); // chroma subsampling on sharp gradients

    const ImageRGBA8 grey = loadImageFromMemory(testimg::encodeJpeg(img, 100, true), "grey.jpg");
    int greyErr = 0;
    for (int y = 0; y < grey.height; ++y)
        for (int x = 0; x < grey.width; ++x) {
            const std::uint8_t* p = grey.pixel(x, y);
            QVERIFY(p[0] == p[1] && p[1] == p[2] && p[3] == 255);
            greyErr = std::max(greyErr, std::abs(int(p[0]) - int(img.pixel(x, y)[0])));
        }
    QVERIFY2(greyErr <= 4, qPrintable(QString::number(greyErr)));

    // Adobe CMYK (as Photoshop writes it) comes back as RGB.
    const ImageRGBA8 cmyk = loadImageFromMemory(testimg::encodeJpeg(img, 100, false, 0, false, true), "cmyk.jpg");
    QCOMPARE(cmyk.width, 120);
    const int cmykErr = maxAbsDiff(img, cmyk);
    qInfo("CMYK JPEG q100 max abs error: %d", cmykErr);
    QVERIFY2(cmykErr <= 4, qPrintable(QString::number(cmykErr)));
}

void TestImageIo::jpegExifOrientation()
{
    // A 40x20 image, left half black, right half white. Orientation 6 means "rotate 90 degrees clockwise to
    // display": the result is 20x40 with the black half on top.
    const ImageRGBA8 img = testimg::makeImage(40, 20, [](int x, int, std::uint8_t* p) {
        const std::uint8_t v = x < 20 ? 0 : 255;
        p[0] = p[1] = p[2] = v;
        p[3] = 255;
    });
    const ImageRGBA8 r6 = loadImageFromMemory(testimg::encodeJpeg(img, 95, false, 6), "o6.jpg");
    QCOMPARE(r6.width, 20);
    QCOMPARE(r6.height, 40);
    QVERIFY(r6.pixel(10, 5)[0] < 40);
    QVERIFY(r6.pixel(10, 35)[0] > 215);
    const ImageRGBA8 r8 = loadImageFromMemory(testimg::encodeJpeg(img, 95, false, 8), "o8.jpg");
    QCOMPARE(r8.width, 20);
    QVERIFY(r8.pixel(10, 5)[0] > 215); // rotated the other way: white on top
    const ImageRGBA8 r3 = loadImageFromMemory(testimg::encodeJpeg(img, 95, false, 3), "o3.jpg");
    QCOMPARE(r3.width, 40);
    QVERIFY(r3.pixel(5, 10)[0] > 215); // rotated 180: white on the left
    const ImageRGBA8 r1 = loadImageFromMemory(testimg::encodeJpeg(img, 95, false, 1), "o1.jpg");
    QVERIFY(r1.pixel(5, 10)[0] < 40);
}

void TestImageIo::bmpAndTgaRoundTrip()
{
    const ImageRGBA8 opaque = testimg::noiseImage(33, 17, 5, false); // 33*3 bytes per row: BMP pads it
    const ImageRGBA8 alpha = testimg::noiseImage(21, 13, 6, true);
    QVERIFY(loadImageFromMemory(testimg::encodeBmp(opaque), "a.bmp").pixels == opaque.pixels);
    QVERIFY(loadImageFromMemory(testimg::encodeBmp(alpha, 32), "b.bmp").pixels == alpha.pixels);
    QVERIFY(loadImageFromMemory(testimg::encodeTga(opaque, false), "c.tga").pixels == opaque.pixels);
    QVERIFY(loadImageFromMemory(testimg::encodeTga(alpha, true), "d.tga").pixels == alpha.pixels);
}

void TestImageIo::webpRoundTrip()
{
#ifdef ORFEAS_TEST_HAVE_WEBP
    // Lossless WebP may rewrite the colour of fully transparent pixels: keep every pixel a little visible.
    ImageRGBA8 img = testimg::noiseImage(45, 31, 9, true);
    for (std::size_t i = 3; i < img.pixels.size(); i += 4)
        img.pixels[i] = std::max<std::uint8_t>(img.pixels[i], 1);
    std::uint8_t* out = nullptr;
    const std::size_t n = WebPEncodeLosslessRGBA(img.pixels.data(), img.width, img.height, img.width * 4, &out);
    QVERIFY(n > 0);
    const Bytes webp(out, out + n);
    WebPFree(out);
    const ImageRGBA8 back = loadImageFromMemory(webp, "rt.webp");
    QCOMPARE(back.width, 45);
    QVERIFY(back.pixels == img.pixels);
    QVERIFY(std::find(supportedImageExtensions().begin(), supportedImageExtensions().end(), "webp")
        != supportedImageExtensions().end());
#else
    QSKIP("built without WebP");
#endif
}

void TestImageIo::formatComesFromBytesNotExtension()
{
    QTemporaryDir dir;
    const ImageRGBA8 img = testimg::noiseImage(16, 16, 4, true);
    const std::string jpgNamedPng = dir.filePath("photo.jpg").toStdString();
    testimg::writeFile(jpgNamedPng, encodePng(img));
    QVERIFY(loadImage(jpgNamedPng).pixels == img.pixels);
    QCOMPARE(probeImage(jpgNamedPng).format, std::string("png"));
    const std::string noExtension = dir.filePath("image").toStdString();
    testimg::writeFile(noExtension, testimg::encodeBmp(img, 32));
    QCOMPARE(probeImage(noExtension).format, std::string("bmp"));
    QVERIFY_THROWS_EXCEPTION(BadInputError, loadImage(dir.filePath("missing.png").toStdString()));
    QVERIFY_THROWS_EXCEPTION(BadInputError, loadImage(dir.path().toStdString())); // a folder
}

void TestImageIo::probeReadsHeaders()
{
    QTemporaryDir dir;
    struct Case {
        const char* name;
        Bytes bytes;
        const char* format;
        int w, h, channels;
    };
    const ImageRGBA8 img = smoothImage(30, 20);
    ImageRGBA8 translucent = img;
    translucent.pixels[3] = 128;
    std::vector<Case> cases = {
        { "a.png", encodePng(img), "png", 30, 20, 3 }, // opaque images are stored as RGB
        { "a2.png", encodePng(translucent), "png", 30, 20, 4 },
        { "b.jpg", testimg::encodeJpeg(img, 80), "jpeg", 30, 20, 3 },
        { "c.jpg", testimg::encodeJpeg(img, 80, true), "jpeg", 30, 20, 1 },
        { "d.bmp", testimg::encodeBmp(img), "bmp", 30, 20, 3 },
        { "e.tga", testimg::encodeTga(img, true), "tga", 30, 20, 4 },
    };
    for (const Case& c : cases) {
        const std::string path = dir.filePath(c.name).toStdString();
        testimg::writeFile(path, c.bytes);
        const ImageHeader h = probeImage(path);
        QCOMPARE(h.format, std::string(c.format));
        QCOMPARE(h.width, c.w);
        QCOMPARE(h.height, c.h);
        QCOMPARE(h.channels, c.channels);
    }
    const std::string huge = dir.filePath("huge.png").toStdString();
    testimg::writeFile(huge, testimg::craftedPngHeader(40000, 40000));
    QVERIFY_THROWS_EXCEPTION(BadInputError, probeImage(huge));
}

void TestImageIo::mutatedFilesNeverCrash()
{
    // Damaged files of every format (flipped bytes, truncation, spliced garbage) must give a decoded image or
    // BadInputError: never a crash, an abort or another exception. Run under ORFEAS_SANITIZE this also
    // checks for out-of-bounds reads in the decoders.
    const ImageRGBA8 img = smoothImage(24, 20);
    testimg::PngLayout palette;
    palette.colorType = PNG_COLOR_TYPE_PALETTE;
    palette.bitDepth = 4;
    palette.interlaced = true;
    for (int i = 0; i < 16; ++i)
        palette.palette.push_back({ png_byte(i * 16), png_byte(255 - i * 16), png_byte(i * 5) });
    std::vector<std::pair<const char*, Bytes>> bases = {
        { "png", encodePng(img) },
        { "png palette interlaced",
            testimg::encodePngLayout(24, 20, palette, [](int x, int y, int) { return unsigned((x + y) % 16); }) },
        { "jpeg", testimg::encodeJpeg(img, 80) },
        { "jpeg progressive", testimg::encodeJpeg(img, 80, false, 0, true) },
        { "bmp", testimg::encodeBmp(img) },
        { "tga", testimg::encodeTga(img, true) },
    };
#ifdef ORFEAS_TEST_HAVE_WEBP
    {
        std::uint8_t* out = nullptr;
        const std::size_t n = WebPEncodeRGBA(img.pixels.data(), img.width, img.height, img.width * 4, 80, &out);
        bases.push_back({ "webp", Bytes(out, out + n) });
        WebPFree(out);
    }
#endif
    testimg::Rng rng(2024);
    int decoded = 0, refused = 0;
    for (const auto& [name, base] : bases) {
        QVERIFY(loadImageFromMemory(base, name).isValid());
        for (int round = 0; round < 150; ++round) {
            Bytes b = base;
            switch (round % 4) {
            case 0:
                for (int k = rng.uniform(1, 4); k > 0; --k)
                    b[std::size_t(rng.uniform(0, int(b.size()) - 1))] ^= std::uint8_t(1 + rng.uniform(0, 254));
                break;
            case 1:
                b.resize(std::size_t(rng.uniform(0, int(b.size()) - 1)));
                break;
            case 2: {
                const std::size_t at = std::size_t(rng.uniform(0, int(b.size()) - 4));
                for (int k = 0; k < 4; ++k)
                    b[at + std::size_t(k)] = 0xFF;
                break;
            }
            default: {
                const std::size_t at = std::size_t(rng.uniform(0, int(b.size()) - 1));
                Bytes junk(std::size_t(rng.uniform(1, 64)));
                for (auto& j : junk)
                    j = std::uint8_t(rng.next());
                b.insert(b.begin() + std::ptrdiff_t(at), junk.begin(), junk.end());
            }
            }
            try {
                const ImageRGBA8 out = loadImageFromMemory(b, "mutated");
                QVERIFY(out.isValid());
                ++decoded;
            } catch (const BadInputError& e) {
                QVERIFY(!e.message().empty());
                ++refused;
            }
        }
    }
    qInfo("mutated files: %d decoded, %d refused", decoded, refused);
    QVERIFY(refused > 0);
}

void TestImageIo::encodePngIsDeterministic()
{
    const ImageRGBA8 img = testimg::noiseImage(128, 96, 21, true);
    const Bytes a = encodePng(img), b = encodePng(img);
    QVERIFY(a == b);
    ImageRGBA8 copy = img; // an equal image elsewhere in memory
    QVERIFY(encodePng(copy) == a);
    // No time or text chunks: only IHDR, IDAT and IEND.
    std::size_t pos = 8;
    while (pos + 8 <= a.size()) {
        const std::string type(reinterpret_cast<const char*>(&a[pos + 4]), 4);
        QVERIFY2(type == "IHDR" || type == "IDAT" || type == "IEND", type.c_str());
        const std::size_t len = (std::size_t(a[pos]) << 24) | (a[pos + 1] << 16) | (a[pos + 2] << 8) | a[pos + 3];
        pos += 12 + len;
    }
    QCOMPARE(pos, a.size());
    QVERIFY_THROWS_EXCEPTION(ExportError, encodePng(ImageRGBA8 {}));
}

// The encoder deflates bands of rows in parallel (1 to 16 bands, by height): every band count, opaque and
// translucent, must decode exactly with our decoder (libpng) and with an independent one (stb_image).
void TestImageIo::encodedPngBandsDecodeEverywhere()
{
    for (const int h : { 1, 63, 64, 130, 191, 1031 }) {
        for (const bool alpha : { false, true }) {
            // Smooth gradients with noise: the Paeth filter's neighbours matter, and the data compresses.
            testimg::Rng r(std::uint32_t(h * 2 + (alpha ? 1 : 0)));
            const int w = h == 1031 ? 300 : 77;
            const ImageRGBA8 img = testimg::makeImage(w, h, [&](int x, int y, std::uint8_t* p) {
                p[0] = std::uint8_t(x + y + (r.next() & 3));
                p[1] = std::uint8_t(2 * x - y);
                p[2] = std::uint8_t(r.next());
                p[3] = alpha ? std::uint8_t(128 + (x & 63)) : 255;
            });
            const Bytes png = encodePng(img);
            const ImageRGBA8 back = loadImageFromMemory(png, "bands.png");
            QVERIFY2(back.pixels == img.pixels, qPrintable(QString("height %1, alpha %2").arg(h).arg(alpha)));
            int sw = 0, sh = 0, sc = 0;
            stbi_uc* decoded = stbi_load_from_memory(png.data(), int(png.size()), &sw, &sh, &sc, 4);
            QVERIFY2(decoded, stbi_failure_reason());
            const bool same = sw == w && sh == h && sc == (alpha ? 4 : 3)
                && std::equal(img.pixels.begin(), img.pixels.end(), decoded);
            stbi_image_free(decoded);
            QVERIFY2(same, qPrintable(QString("stb_image: height %1, alpha %2").arg(h).arg(alpha)));
        }
    }
}

void TestImageIo::writePngIsAtomicAndRefusesToOverwrite()
{
    QTemporaryDir dir;
    const std::string path = dir.filePath("out.png").toStdString();
    const ImageRGBA8 a = testimg::noiseImage(20, 10, 1, true), b = testimg::noiseImage(20, 10, 2, true);
    writePng(a, path);
    QVERIFY(loadImage(path).pixels == a.pixels);
    QVERIFY_THROWS_EXCEPTION(ExportError, writePng(b, path));
    QVERIFY(loadImage(path).pixels == a.pixels); // untouched
    writePng(b, path, true);
    QVERIFY(loadImage(path).pixels == b.pixels);
    QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden).size(), qsizetype(1)); // no temporaries left
}

QTEST_GUILESS_MAIN(TestImageIo)
#include "tst_image_io.moc"
