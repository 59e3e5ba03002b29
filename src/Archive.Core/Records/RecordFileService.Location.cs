namespace Archive.Records;

public sealed partial class RecordFileService
{
    // ----------------------------------------------------------------------------------------------- physical location

    /// <summary>
    /// Commits a change of where the record file is kept (<see cref="RecordFile.Location"/>, <see cref="RecordFile.Carrier"/>)
    /// as a new version, through the same path as every change (file lock, guards, whole-file validation, projection):
    /// <paramref name="apply"/> gets the head and its fonds, adds its broken rules to the list and returns the next state
    /// with the version's message (audited with the version). The rules of a location are
    /// <see cref="Locations.LocationService"/>'s; nothing else calls this.
    /// </summary>
    internal ValueTask<WriteResult<RecordFile>> RelocateAsync(
        string fileCode,
        int? expectedVersion,
        ArchiveUser user,
        Func<RecordFile, Fonds, List<ValidationError>, CancellationToken, ValueTask<(RecordFile Next, string Message)>> apply,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(apply);
        return MutateAsync(fileCode, expectedVersion, user, false, null, async (current, fonds, errors, warnings, ct) =>
        {
            var (next, message) = await apply(current.Value, fonds, errors, ct).ConfigureAwait(false);
            return new Mutation(next, message);
        }, cancellationToken);
    }
}
