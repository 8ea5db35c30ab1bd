#pragma once
// Loading the UI translations (compiled from translations/*.ts into the library's resources) and Qt's own.

#include <QString>
#include <QStringList>

class QCoreApplication;

namespace orfeas::ui {

// The languages the studio is translated into ("en", "el", "de").
QStringList availableLanguages();
// Installs the translators for `language` (empty: the system's language when available, else English) and sets
// the default QLocale to match. Returns the language used. Call once, before creating widgets.
QString installTranslations(QCoreApplication* app, const QString& language);

} // namespace orfeas::ui
