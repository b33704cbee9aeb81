using ServerlessRec.Diagnostics;

namespace ServerlessRec.Pipeline;

/// <summary>
/// How both hosts call a retraining activity: as a measured step. Kept off <see cref="RetrainActivities"/>, whose public
/// instance methods are exactly the activities.
/// </summary>
public static class RetrainActivitiesExtensions
{
    /// <summary>
    /// Runs one activity in an activity of the <c>ServerlessRec</c> source and records its duration with the step's name
    /// and whether it succeeded (<see cref="ServerlessRecTelemetry.RetrainStepDuration"/>), when the activities have
    /// telemetry. A retried step is measured once per attempt.
    /// </summary>
    public static Task<T> MeasureStepAsync<T>(this RetrainActivities activities, string step, Func<RetrainActivities, Task<T>> activity)
    {
        ArgumentNullException.ThrowIfNull(activities);
        ArgumentException.ThrowIfNullOrEmpty(step);
        ArgumentNullException.ThrowIfNull(activity);
        return activities.MeasureStepCoreAsync(step, activity);
    }

    /// <inheritdoc cref="MeasureStepAsync{T}(RetrainActivities, string, Func{RetrainActivities, Task{T}})"/>
    public static Task MeasureStepAsync(this RetrainActivities activities, string step, Func<RetrainActivities, Task> activity)
    {
        ArgumentNullException.ThrowIfNull(activity);
        return activities.MeasureStepAsync(step, async a =>
        {
            await activity(a).ConfigureAwait(false);
            return true;
        });
    }
}
