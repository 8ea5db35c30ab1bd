#pragma once
// Icons drawn for ORFEAS (resources/icons/*.svg, compiled into the library), and resource initialisation.

#include <QIcon>
#include <QString>

namespace orfeas::ui {

// Registers the library's compiled-in resources (icons). Call once before using them; idempotent.
void initResources();
// ":/icons/<name>.svg" as an icon (the theme's icon of the same name is preferred when one exists).
QIcon icon(const QString& name);
// The application icon.
QIcon appIcon();

} // namespace orfeas::ui
