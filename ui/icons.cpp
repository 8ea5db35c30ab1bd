#include "icons.h"

#include <QFile>

// Q_INIT_RESOURCE must be used outside any namespace.
static void initOrfeasResources()
{
    Q_INIT_RESOURCE(orfeas);
}

namespace orfeas::ui {

void initResources()
{
    static const bool done = [] {
        initOrfeasResources();
        return true;
    }();
    Q_UNUSED(done);
}

QIcon icon(const QString& name)
{
    initResources();
    const QString path = QStringLiteral(":/icons/%1.svg").arg(name);
    return QFile::exists(path) ? QIcon(path) : QIcon::fromTheme(name);
}

QIcon appIcon()
{
    initResources();
    QIcon i(QStringLiteral(":/icons/orfeas.svg"));
    i.addFile(QStringLiteral(":/icons/orfeas-256.png"), QSize(256, 256));
    return i;
}

} // namespace orfeas::ui
