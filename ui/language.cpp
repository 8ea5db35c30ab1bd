#include "language.h"

#include <QCoreApplication>
#include <QFile>
#include <QLibraryInfo>
#include <QLocale>
#include <QTranslator>

namespace orfeas::ui {

QStringList availableLanguages()
{
    return {QStringLiteral("en"), QStringLiteral("el"), QStringLiteral("de")};
}

QString installTranslations(QCoreApplication* app, const QString& language)
{
    QString lang = language;
    if (lang.isEmpty()) {
        lang = QStringLiteral("en");
        for (const QString& candidate : QLocale::system().uiLanguages()) {
            const QString code = candidate.left(2).toLower();
            if (availableLanguages().contains(code)) {
                lang = code;
                break;
            }
        }
    }
    if (!availableLanguages().contains(lang))
        lang = QStringLiteral("en");
    QLocale::setDefault(QLocale(lang));

    // English also has a catalogue: it holds the plural forms ("1 file skipped" / "3 files skipped").
    auto* ours = new QTranslator(app);
    if (ours->load(QStringLiteral(":/i18n/orfeas_%1.qm").arg(lang)))
        app->installTranslator(ours);
    else
        delete ours;
    auto* qt = new QTranslator(app);
    if (qt->load(QLocale(lang), QStringLiteral("qtbase"), QStringLiteral("_"),
                 QLibraryInfo::path(QLibraryInfo::TranslationsPath)))
        app->installTranslator(qt);
    else
        delete qt;
    return lang;
}

} // namespace orfeas::ui
