#pragma once
// Orbit / pan / zoom for a Qt3D camera, driven by the 3D window's mouse events: left drag orbits around the
// target, right or middle drag (or Shift + left) pans, the wheel zooms, a double click frames everything.
// The camera sits on a sphere around the target (yaw, pitch, distance), so it never rolls or flips.

#include <QObject>
#include <QPoint>
#include <QVector3D>

namespace Qt3DRender {
class QCamera;
}

namespace orfeas::ui {

class CameraController : public QObject {
    Q_OBJECT
public:
    explicit CameraController(Qt3DRender::QCamera* camera, QObject* parent = nullptr);

    // Looks at a sphere (centre, radius) from the default three-quarter view.
    void frame(const QVector3D& center, float radius);
    void orbit(float yawDegrees, float pitchDegrees);
    void pan(float dxPixels, float dyPixels, int viewportHeight);
    void zoom(float factor); // < 1 moves closer

    float yaw() const { return m_yaw; }
    float pitch() const { return m_pitch; }
    float distance() const { return m_distance; }
    QVector3D target() const { return m_target; }

Q_SIGNALS:
    void frameRequested();

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void apply();

    Qt3DRender::QCamera* m_camera;
    QVector3D m_target;
    float m_radius = 1;
    float m_yaw = 25;      // degrees around +Y, 0 = looking from +Z (the input image's viewer)
    float m_pitch = 15;    // degrees above the horizon
    float m_distance = 3;
    QPoint m_last;
    Qt::MouseButtons m_buttons;
};

} // namespace orfeas::ui
