// Translations: every message of the Greek and German catalogues is translated and keeps its placeholders and
// accelerators; the compiled catalogues load from the library's resources and change what the window shows.

#include "job_controller.h"
#include "job_model.h"
#include "language.h"
#include "main_window.h"
#include "stage_text.h"

#include <QApplication>
#include <QDockWidget>
#include <QFile>
#include <QMenuBar>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTranslator>
#include <QXmlStreamReader>

using namespace orfeas::ui;

namespace {

struct Message {
    QString context, source;
    QStringList translations; // one, or the plural forms
    QString type;             // "unfinished", "vanished", "obsolete" or empty
};

QList<Message> readTs(const QString& path)
{
    QList<Message> out;
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return out;
    QXmlStreamReader xml(&f);
    QString context;
    Message current;
    while (!xml.atEnd()) {
        xml.readNext();
        if (!xml.isStartElement())
            continue;
        if (xml.name() == QLatin1String("name"))
            context = xml.readElementText();
        else if (xml.name() == QLatin1String("message"))
            current = Message{context, {}, {}, {}};
        else if (xml.name() == QLatin1String("source"))
            current.source = xml.readElementText();
        else if (xml.name() == QLatin1String("translation")) {
            current.type = xml.attributes().value("type").toString();
            QString text;
            bool numerus = false;
            while (!(xml.isEndElement() && xml.name() == QLatin1String("translation")) && !xml.atEnd()) {
                xml.readNext();
                if (xml.isStartElement() && xml.name() == QLatin1String("numerusform")) {
                    numerus = true;
                    current.translations << xml.readElementText();
                } else if (xml.isCharacters() && !numerus) {
                    text += xml.text();
                }
            }
            if (!numerus)
                current.translations << text;
            out << current;
        }
    }
    return out;
}

QStringList placeholders(const QString& s)
{
    QStringList found;
    static const QRegularExpression re(QStringLiteral("%(\\d|n)"));
    for (auto it = re.globalMatch(s); it.hasNext();)
        found << it.next().captured(0);
    found.sort();
    found.removeDuplicates();
    return found;
}

} // namespace

class TestTranslations : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void catalogueIsComplete_data()
    {
        QTest::addColumn<QString>("language");
        QTest::newRow("el") << "el";
        QTest::newRow("de") << "de";
    }

    void catalogueIsComplete()
    {
        QFETCH(QString, language);
        const auto messages = readTs(QStringLiteral(ORFEAS_SOURCE_DIR "/translations/orfeas_%1.ts").arg(language));
        const auto english = readTs(QStringLiteral(ORFEAS_SOURCE_DIR "/translations/orfeas_en.ts"));
        QVERIFY(messages.size() > 200);
        QCOMPARE(messages.size(), english.size()); // the same messages in every catalogue
        for (const Message& m : messages) {
            const QString where = m.context + QStringLiteral(": ") + m.source;
            QVERIFY2(m.type.isEmpty(), qPrintable(where + QStringLiteral(" is ") + m.type));
            QVERIFY2(!m.translations.isEmpty(), qPrintable(where));
            for (const QString& t : m.translations) {
                QVERIFY2(!t.trimmed().isEmpty(), qPrintable(where));
                QCOMPARE(placeholders(t), placeholders(m.source));
                // A menu accelerator in the source needs one in the translation, and only one.
                const int amps = int(m.source.count(QLatin1Char('&')));
                if (amps == 1 && !m.source.contains(QLatin1String("&lt;")))
                    QVERIFY2(t.count(QLatin1Char('&')) == 1, qPrintable(where + QStringLiteral(" -> ") + t));
            }
        }
    }

    void englishHasPluralForms()
    {
        int numerus = 0;
        for (const Message& m : readTs(QStringLiteral(ORFEAS_SOURCE_DIR "/translations/orfeas_en.ts"))) {
            if (!m.source.contains(QLatin1String("%n")))
                continue;
            ++numerus;
            QVERIFY2(m.type.isEmpty() && m.translations.size() == 2, qPrintable(m.source));
        }
        QVERIFY(numerus >= 8);
    }

    void compiledCataloguesLoad()
    {
        for (const QString& lang : availableLanguages()) {
            QTranslator t;
            QVERIFY2(t.load(QStringLiteral(":/i18n/orfeas_%1.qm").arg(lang)), qPrintable(lang));
        }
        QTranslator el;
        QVERIFY(el.load(QStringLiteral(":/i18n/orfeas_el.qm")));
        QCOMPARE(el.translate("orfeas::ui::MainWindow", "&File"), QStringLiteral("&Αρχείο"));
        QCOMPARE(el.translate("orfeas::ui::JobController", "%n job(s) added.", nullptr, 3),
                 QStringLiteral("Προστέθηκαν %n εργασίες."));
        QTranslator en;
        QVERIFY(en.load(QStringLiteral(":/i18n/orfeas_en.qm")));
        QCOMPARE(en.translate("orfeas::ui::JobController", "%n job(s) added.", nullptr, 1),
                 QStringLiteral("%n job added."));
    }

    // Last: it installs translators into the running application.
    void greekWindow()
    {
        QStandardPaths::setTestModeEnabled(true);
        QTemporaryDir dir;
        QSettings settings(dir.filePath("s.ini"), QSettings::IniFormat);
        SettingsStore store(&settings);
        QCOMPARE(installTranslations(qApp, QStringLiteral("el")), QStringLiteral("el"));
        MainWindowOptions options;
        options.logFile.clear();
        options.startGpuSampler = false;
        MainWindow window(&store, options);
        QCOMPARE(window.menuBar()->actions().first()->text(), QStringLiteral("&Αρχείο"));
        QStringList docks;
        for (QDockWidget* d : window.findChildren<QDockWidget*>())
            docks << d->windowTitle();
        QVERIFY2(docks.contains(QStringLiteral("Εργασίες")) && docks.contains(QStringLiteral("Στάδια")),
                 qPrintable(docks.join(',')));
        QCOMPARE(stageDisplayName(int(orfeas::Stage::ShapeGeneration)), QStringLiteral("Δημιουργία σχήματος"));
        QCOMPARE(formatSeconds(2.5), QStringLiteral("2,5 s")); // the Greek locale's decimal comma
        QCOMPARE(formatEta(40), QStringLiteral("απομένουν περίπου 40 δευτερόλεπτα"));
    }
};

QTEST_MAIN(TestTranslations)
#include "tst_translations.moc"
