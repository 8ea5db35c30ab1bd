#include "about_dialog.h"

#include "icons.h"
#include "settings_store.h"

#include "orfeas/backends.h"
#include "orfeas/version.h"

#include <QDialogButtonBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QSettings>
#include <QVBoxLayout>

namespace orfeas::ui {

AboutDialog::AboutDialog(const QString& gpuLine, QWidget* parent)
    : QDialog(parent)
{
    setWindowTitle(tr("About ORFEAS Studio"));
    auto* layout = new QVBoxLayout(this);
    auto* top = new QHBoxLayout;
    auto* logo = new QLabel(this);
    logo->setPixmap(appIcon().pixmap(96, 96));
    logo->setAlignment(Qt::AlignTop);
    top->addWidget(logo);

    QString backends;
    for (const auto& b : orfeas::BackendProvider::instance().status()) {
        backends += QStringLiteral("<li><b>%1</b>: %2 — %3</li>")
                        .arg(QString::fromStdString(b.name).toHtmlEscaped(),
                             b.available ? tr("available") : tr("not available"),
                             QString::fromStdString(b.detail).toHtmlEscaped());
    }
    const QString text =
        tr("<h2>ORFEAS Studio %1</h2>"
           "<p>Turns one image into a textured 3D model: Hunyuan3D-2 on an NVIDIA GPU when its weights are "
           "installed, classic silhouette inflation on the CPU otherwise.</p>")
            .arg(QString::fromLatin1(orfeas::versionString())) +
        tr("<p><b>Build:</b> %1<br><b>Qt:</b> %2<br><b>GPU:</b> %3</p>")
            .arg(QString::fromLatin1(orfeas::buildDescription()).toHtmlEscaped(), QString::fromLatin1(qVersion()),
                 gpuLine.toHtmlEscaped()) +
        tr("<p><b>Shape backends:</b></p><ul>%1</ul>").arg(backends) +
        tr("<p><b>Settings:</b> %1<br><b>Log:</b> %2</p>")
            .arg(QSettings().fileName().toHtmlEscaped(), defaultLogFile().toHtmlEscaped());
    auto* label = new QLabel(text, this);
    label->setWordWrap(true);
    label->setTextInteractionFlags(Qt::TextBrowserInteraction);
    label->setMinimumWidth(460);
    top->addWidget(label, 1);
    layout->addLayout(top);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);
}

} // namespace orfeas::ui
