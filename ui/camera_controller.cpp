#include "camera_controller.h"

#include <Qt3DRender/QCamera>

#include <QMouseEvent>
#include <QWindow>
#include <QWheelEvent>
#include <QtMath>

#include <algorithm>
#include <cmath>

namespace orfeas::ui {

CameraController::CameraController(Qt3DRender::QCamera* camera, QObject* parent)
    : QObject(parent)
    , m_camera(camera)
{
}

void CameraController::frame(const QVector3D& center, float radius)
{
    m_target = center;
    m_radius = std::max(radius, 1e-4f);
    m_yaw = 25;
    m_pitch = 15;
    // Distance at which the bounding sphere fits the vertical field of view, with a margin.
    const float halfFov = qDegreesToRadians(m_camera->fieldOfView() * 0.5f);
    m_distance = 1.15f * m_radius / std::sin(halfFov);
    apply();
}

void CameraController::orbit(float yawDegrees, float pitchDegrees)
{
    m_yaw = std::fmod(m_yaw + yawDegrees, 360.0f);
    m_pitch = std::clamp(m_pitch + pitchDegrees, -85.0f, 85.0f);
    apply();
}

void CameraController::pan(float dxPixels, float dyPixels, int viewportHeight)
{
    // Move the target in the camera's plane so the point under the cursor follows it.
    const float halfFov = qDegreesToRadians(m_camera->fieldOfView() * 0.5f);
    const float worldPerPixel = 2.0f * m_distance * std::tan(halfFov) / float(std::max(1, viewportHeight));
    const QVector3D forward = (m_camera->viewCenter() - m_camera->position()).normalized();
    const QVector3D right = QVector3D::crossProduct(forward, QVector3D(0, 1, 0)).normalized();
    const QVector3D up = QVector3D::crossProduct(right, forward).normalized();
    m_target += (-dxPixels * right + dyPixels * up) * worldPerPixel;
    apply();
}

void CameraController::zoom(float factor)
{
    m_distance = std::clamp(m_distance * factor, 0.05f * m_radius, 60.0f * m_radius);
    apply();
}

void CameraController::apply()
{
    const float yaw = qDegreesToRadians(m_yaw);
    const float pitch = qDegreesToRadians(m_pitch);
    const QVector3D dir(std::cos(pitch) * std::sin(yaw), std::sin(pitch), std::cos(pitch) * std::cos(yaw));
    m_camera->setUpVector(QVector3D(0, 1, 0));
    m_camera->setViewCenter(m_target);
    m_camera->setPosition(m_target + dir * m_distance);
    // Keep the near plane as far out as the model allows: depth precision (and so the wireframe overlay, lifted
    // just above the surface) depends on it. The grid reaches about 2.9 radii from the centre.
    m_camera->setNearPlane(std::max(0.01f * m_radius, 0.5f * (m_distance - 1.2f * m_radius)));
    m_camera->setFarPlane(m_distance + 4.0f * m_radius);
}

bool CameraController::eventFilter(QObject* watched, QEvent* event)
{
    switch (event->type()) {
    case QEvent::MouseButtonPress: {
        auto* e = static_cast<QMouseEvent*>(event);
        m_last = e->position().toPoint();
        m_buttons = e->buttons();
        return true;
    }
    case QEvent::MouseButtonRelease:
        m_buttons = static_cast<QMouseEvent*>(event)->buttons();
        return true;
    case QEvent::MouseMove: {
        auto* e = static_cast<QMouseEvent*>(event);
        const QPoint p = e->position().toPoint();
        const QPoint d = p - m_last;
        m_last = p;
        const bool panning = (m_buttons & (Qt::RightButton | Qt::MiddleButton)) ||
                             ((m_buttons & Qt::LeftButton) && (e->modifiers() & Qt::ShiftModifier));
        if (panning) {
            const auto* window = qobject_cast<QWindow*>(watched);
            pan(float(d.x()), float(d.y()), window ? window->height() : 600);
        } else if (m_buttons & Qt::LeftButton) {
            orbit(-0.4f * float(d.x()), 0.4f * float(d.y()));
        }
        return true;
    }
    case QEvent::Wheel: {
        auto* e = static_cast<QWheelEvent*>(event);
        zoom(std::pow(0.9985f, float(e->angleDelta().y())));
        return true;
    }
    case QEvent::MouseButtonDblClick:
        Q_EMIT frameRequested();
        return true;
    default:
        return QObject::eventFilter(watched, event);
    }
}

} // namespace orfeas::ui
