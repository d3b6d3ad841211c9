import Foundation

/// The data a paused screen keeps showing, and the moment it was paused:
/// ages on screen are counted to then, so the whole frame stands still.
struct PausedView: Sendable {
    var model: ClusterModel
    let time: Date
}

extension DashboardRuntime {
    /// The model the screen shows: the one `p` froze, else the live one.
    var shown: ClusterModel { pause?.model ?? model }

    /// Freezes or thaws the view as the state says; the data is never held
    /// back, only what is drawn.
    func followPause() {
        if state.paused, pause == nil {
            pause = PausedView(model: model, time: Date())
        } else if !state.paused {
            pause = nil
        }
    }

    /// A line for the event pane, from the dashboard itself (answers to the
    /// operator's keys, actions' results): a paused view shows it too, since
    /// the operator is waiting for it. What the cluster says waits for the
    /// resume.
    func note(_ kind: EventLog.Kind, _ text: String) {
        let now = Date()
        model.log.add(kind, text, at: now)
        pause?.model.log.add(kind, text, at: now)
    }
}
