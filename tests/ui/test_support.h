#pragma once
// Shared helpers for the GUI tests: generated input images and small, fast job settings.

#include "orfeas/settings.h"
#include "orfeas/types.h"

#include <QColor>
#include <QImage>
#include <QPainter>
#include <QString>

namespace orfeas::ui::test {

// A red disc on a white background (opaque: preprocessing removes the background).
inline QImage discImage(int side = 160, QColor color = QColor(208, 48, 48))
{
    QImage image(side, side, QImage::Format_RGB32);
    image.fill(Qt::white);
    QPainter p(&image);
    p.setRenderHint(QPainter::Antialiasing);
    p.setPen(Qt::NoPen);
    p.setBrush(color);
    p.drawEllipse(QPointF(side / 2.0, side / 2.0), side * 0.32, side * 0.36);
    return image;
}

// Settings that keep one classic job well under a second on a small machine.
inline orfeas::JobSettings fastSettings()
{
    orfeas::JobSettings s;
    s.backend = orfeas::BackendChoice::Inflate;
    s.resolution = 40;
    s.imageSize = 128;
    s.faceBudget = 3000;
    s.textureSize = 128;
    s.formats = {orfeas::ExportFormat::Glb};
    return s;
}

// Settings that make a classic job take long enough to cancel it in flight.
inline orfeas::JobSettings slowSettings()
{
    orfeas::JobSettings s = fastSettings();
    s.resolution = 320;
    s.imageSize = 512;
    s.faceBudget = 0;
    s.textureSize = 2048;
    return s;
}

} // namespace orfeas::ui::test
