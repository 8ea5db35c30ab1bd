#include "studio_app.h"

#include "icons.h"
#include "language.h"
#include "main_window.h"
#include "job_controller.h"
#include "settings_store.h"

#include "orfeas/version.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QMessageBox>

namespace orfeas::ui {

int runStudio(int argc, char** argv)
{
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("ORFEAS"));
    QApplication::setApplicationName(QStringLiteral("ORFEAS Studio"));
    QApplication::setApplicationVersion(QString::fromLatin1(orfeas::versionString()));
    QApplication::setDesktopFileName(QStringLiteral("orfeas-studio"));
    initResources();
    QApplication::setWindowIcon(appIcon());

    SettingsStore store;
    const StudioPreferences prefs = store.loadPreferences();

    // The language option is read before translations are installed, so the help text below is translated too.
    QString language = prefs.language;
    const QStringList args = QApplication::arguments();
    for (int i = 1; i + 1 < args.size(); ++i)
        if (args[i] == QLatin1String("--language"))
            language = args[i + 1];
    installTranslations(&app, language);

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QApplication::translate("Studio", "ORFEAS Studio: turn an image into a textured 3D model."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addOption({QStringLiteral("language"),
                      QApplication::translate("Studio", "Interface language for this run: en, el or de."),
                      QApplication::translate("Studio", "code")});
    parser.addOption({QStringLiteral("reset-layout"),
                      QApplication::translate("Studio", "Start with the default window layout.")});
    parser.addPositionalArgument(QStringLiteral("images"),
                                 QApplication::translate("Studio", "Images or folders to turn into models."),
                                 QStringLiteral("[images...]"));
    parser.process(app);
    if (parser.isSet(QStringLiteral("reset-layout")))
        store.saveWindow({}, {});

    MainWindow window(&store);
    window.show();
    if (!parser.positionalArguments().isEmpty())
        window.controller()->addPaths(parser.positionalArguments());
    return QApplication::exec();
}

} // namespace orfeas::ui
