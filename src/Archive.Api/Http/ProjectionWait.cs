using Archive.Api.Contracts;
using Archive.Records;

namespace Archive.Api.Http;

/// <summary>
/// The opt-in wait of record-file writes: <c>?wait=searchable</c> (with <c>timeoutMs</c>, default 5 000, at most
/// 30 000) answers once the written version is searchable or the bound passed; the response's <c>projection</c> says
/// which. Checked before the write, so a bad value changes nothing. The waiting itself is the engine's
/// (<see cref="RecordFileService.WaitSearchableAsync"/>).
/// </summary>
internal static class ProjectionWait
{
    /// <summary>The default bound of a wait.</summary>
    public const int DefaultTimeoutMs = 5_000;

    /// <summary>The only value of <c>wait</c>.</summary>
    public const string Searchable = "searchable";

    /// <summary>How long to wait after the write; null: do not wait.</summary>
    public static TimeSpan? Parse(string? wait, int? timeoutMs)
    {
        var max = (int)RecordFileService.MaxProjectionWait.TotalMilliseconds;
        if (timeoutMs is < 0 || timeoutMs > max)
        {
            throw ApiRequestException.BadRequest("timeoutMs", "wait.timeout-range", $"timeoutMs is between 0 and {max} milliseconds.");
        }

        if (wait is null)
        {
            return null;
        }

        if (!string.Equals(wait, Searchable, StringComparison.Ordinal))
        {
            throw ApiRequestException.BadRequest("wait", "wait.value", "wait is 'searchable' (or absent).");
        }

        return TimeSpan.FromMilliseconds(timeoutMs ?? DefaultTimeoutMs);
    }

    /// <summary>The projection state of a write's result, after waiting for it when asked.</summary>
    public static async ValueTask<ProjectionDto?> AfterWriteAsync(RecordFileService files, WriteResult<RecordFile> result, TimeSpan? wait, CancellationToken cancellationToken)
    {
        var state = result.Projection;
        if (wait is { } timeout && state is { State: ProjectionState.Pending })
        {
            state = await files.WaitSearchableAsync(state.FileCode, state.Version, timeout, cancellationToken).ConfigureAwait(false);
        }

        return ToDto(state);
    }

    /// <summary>The contract form of a projection state.</summary>
    public static ProjectionDto? ToDto(RecordFileProjection? state)
        => state is null ? null : new ProjectionDto
        {
            State = state.State,
            SearchableVersion = state.SearchableVersion,
        };
}
