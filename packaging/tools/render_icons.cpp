// orfeas_render_icons: renders the application icon (resources/icons/orfeas.svg) to the PNG sizes of the hicolor icon
// theme, and optionally to a Windows .ico, at build time. Runs headless (offscreen platform).
//
//   orfeas_render_icons <icon.svg> <fallback.png> <output folder> <icon name> <size>... [--ico <file.ico>]
//
// Writes <output folder>/<size>x<size>/apps/<icon name>.png. Without Qt's SVG image plugin the sizes up to the
// fallback PNG's are downscaled from it (larger ones are skipped with a note), so a build never needs the plugin.

#include <QBuffer>
#include <QDir>
#include <QFile>
#include <QGuiApplication>
#include <QImage>
#include <QImageReader>
#include <QSaveFile>
#include <QtEndian>

#include <cstdio>
#include <vector>

namespace {

QImage renderSvg(const QString& svg, int size)
{
    QImageReader reader(svg, "svg");
    if (!reader.canRead())
        return {};
    reader.setScaledSize(QSize(size, size));
    QImage image = reader.read();
    return image.isNull() ? QImage() : image.convertToFormat(QImage::Format_ARGB32);
}

QImage scalePng(const QImage& source, int size)
{
    if (source.isNull() || size > source.width())
        return {};
    return source.scaled(size, size, Qt::IgnoreAspectRatio, Qt::SmoothTransformation)
        .convertToFormat(QImage::Format_ARGB32);
}

QByteArray pngBytes(const QImage& image)
{
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    image.save(&buffer, "PNG");
    return bytes;
}

bool writeFile(const QString& path, const QByteArray& bytes)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size() || !file.commit()) {
        std::fprintf(stderr, "orfeas_render_icons: cannot write %s\n", qPrintable(path));
        return false;
    }
    return true;
}

// An .ico whose entries are PNG streams (read by Windows Vista and later, and by NSIS). Sizes above 256 do not fit
// the format's one-byte width field and are left out.
QByteArray icoBytes(const std::vector<QImage>& images)
{
    std::vector<QByteArray> pngs;
    std::vector<int> sizes;
    for (const QImage& image : images) {
        if (image.width() > 256)
            continue;
        pngs.push_back(pngBytes(image));
        sizes.push_back(image.width());
    }
    QByteArray out;
    auto put16 = [&out](quint16 v) {
        const quint16 le = qToLittleEndian(v);
        out.append(reinterpret_cast<const char*>(&le), 2);
    };
    auto put32 = [&out](quint32 v) {
        const quint32 le = qToLittleEndian(v);
        out.append(reinterpret_cast<const char*>(&le), 4);
    };
    put16(0);
    put16(1); // type: icon
    put16(static_cast<quint16>(pngs.size()));
    quint32 offset = 6 + 16 * static_cast<quint32>(pngs.size());
    for (std::size_t i = 0; i < pngs.size(); ++i) {
        const char dim = static_cast<char>(sizes[i] >= 256 ? 0 : sizes[i]); // 0 means 256
        out.append(dim);
        out.append(dim);
        out.append('\0'); // no palette
        out.append('\0');
        put16(1);  // colour planes
        put16(32); // bits per pixel
        put32(static_cast<quint32>(pngs[i].size()));
        put32(offset);
        offset += static_cast<quint32>(pngs[i].size());
    }
    for (const QByteArray& png : pngs)
        out.append(png);
    return out;
}

} // namespace

int main(int argc, char** argv)
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QGuiApplication app(argc, argv);
    QStringList args = QCoreApplication::arguments().mid(1);
    QString icoPath;
    const qsizetype icoAt = args.indexOf(QStringLiteral("--ico"));
    if (icoAt >= 0 && icoAt + 1 < args.size()) {
        icoPath = args.at(icoAt + 1);
        args.remove(icoAt, 2);
    }
    if (args.size() < 5) {
        std::fprintf(stderr, "usage: orfeas_render_icons <icon.svg> <fallback.png> <output folder> <icon name> "
                             "<size>... [--ico <file.ico>]\n");
        return 2;
    }
    const QString svg = args.at(0);
    const QImage fallback(args.at(1));
    const QDir outDir(args.at(2));
    const QString name = args.at(3);

    const bool haveSvg = QImageReader::supportedImageFormats().contains("svg") && QFile::exists(svg);
    if (!haveSvg)
        std::fprintf(stderr, "orfeas_render_icons: no SVG image plugin: scaling %s instead\n",
                     qPrintable(args.at(1)));

    std::vector<QImage> rendered;
    for (qsizetype i = 4; i < args.size(); ++i) {
        bool ok = false;
        const int size = args.at(i).toInt(&ok);
        if (!ok || size < 8 || size > 1024) {
            std::fprintf(stderr, "orfeas_render_icons: bad size '%s'\n", qPrintable(args.at(i)));
            return 2;
        }
        const QImage image = haveSvg ? renderSvg(svg, size) : scalePng(fallback, size);
        if (image.isNull()) {
            if (haveSvg) {
                std::fprintf(stderr, "orfeas_render_icons: cannot render %s at %d px\n", qPrintable(svg), size);
                return 1;
            }
            std::fprintf(stderr, "orfeas_render_icons: %d px skipped (larger than the fallback PNG)\n", size);
            continue;
        }
        const QString dir = QStringLiteral("%1x%1/apps").arg(size);
        if (!outDir.mkpath(dir) ||
            !writeFile(outDir.filePath(QStringLiteral("%1/%2.png").arg(dir, name)), pngBytes(image)))
            return 1;
        rendered.push_back(image);
    }
    if (!icoPath.isEmpty() && !writeFile(icoPath, icoBytes(rendered)))
        return 1;
    return 0;
}
