#pragma once
// The job list: thumbnail, name, state with the current stage, elapsed time and a progress strip per job, and the
// actions on the selected job (cancel, retry, remove, reveal output).

#include "job_types.h"

#include <QStyledItemDelegate>
#include <QWidget>

class QAction;
class QListView;

namespace orfeas::ui {

class JobModel;

class JobDelegate : public QStyledItemDelegate {
    Q_OBJECT
public:
    using QStyledItemDelegate::QStyledItemDelegate;
    void paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const override;
    QSize sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const override;
};

class JobListPanel : public QWidget {
    Q_OBJECT
public:
    explicit JobListPanel(JobModel* model, QWidget* parent = nullptr);

    JobId currentJob() const;
    void selectJob(JobId id);
    QListView* view() const { return m_view; }

    QAction* cancelAction() const { return m_cancel; }
    QAction* retryAction() const { return m_retry; }
    QAction* removeAction() const { return m_remove; }
    QAction* revealAction() const { return m_reveal; }
    QAction* clearFinishedAction() const { return m_clearFinished; }

Q_SIGNALS:
    void currentJobChanged(orfeas::ui::JobId id);

private:
    void updateActions();
    void reveal();

    JobModel* m_model;
    QListView* m_view = nullptr;
    QAction* m_cancel = nullptr;
    QAction* m_retry = nullptr;
    QAction* m_remove = nullptr;
    QAction* m_reveal = nullptr;
    QAction* m_clearFinished = nullptr;
};

} // namespace orfeas::ui
