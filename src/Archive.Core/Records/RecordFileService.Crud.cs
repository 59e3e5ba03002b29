using Archive.Diagnostics;
using Archive.Packages;

namespace Archive.Records;

public sealed partial class RecordFileService
{
    // ----------------------------------------------------------------------------------------------- record file

    /// <summary>
    /// Creates a record file in an open fonds. <c>OrganId</c> is the fonds' creating agency; the retention comes from
    /// the schedule item when not given.
    /// </summary>
    /// <exception cref="ArchiveValidationException">A rule is broken (every broken rule is listed); nothing is stored.</exception>
    /// <exception cref="FondsClosedException">The fonds is closed.</exception>
    /// <exception cref="ArchiveConflictException">A record file with this code exists (<see cref="ConflictRules.AlreadyExists"/>).</exception>
    public async ValueTask<WriteResult<RecordFile>> CreateAsync(RecordFileInput input, ArchiveUser user, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(user);
        user.Validate();
        var fonds = await OpenFondsAsync(input.FondsCode, cancellationToken).ConfigureAwait(false);
        var errors = new List<ValidationError>();
        var warnings = new List<RecordWarning>();
        var schedule = await _schedules.GetEffectiveAsync(fonds.Value.AgencyId, cancellationToken).ConfigureAwait(false);
        var file = Build(input, fonds.Value, schedule, null, errors, warnings);
        file = Finish(file);
        Validate(file, fonds.Value, schedule, errors);
        if (errors.Count > 0)
        {
            throw new ArchiveValidationException(errors);
        }

        var gate = FileLock(file.FileCode);
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        var committed = false;
        try
        {
            await FlagNewAsync(file.FileCode, "record file created, projection follows", cancellationToken).ConfigureAwait(false);
            var stored = await CommitNewAsync(fonds.Value.Code, file, $"Create record file {file.FileCode}", user, null, cancellationToken).ConfigureAwait(false);
            committed = true;
            ArchiveTelemetry.RecordFilesCreated.Add(1, new KeyValuePair<string, object?>(ArchiveTelemetry.IngestModeTag, "create"));
            return Acknowledge(stored, warnings);
        }
        finally
        {
            if (!committed)
            {
                await _projector.NotCommittedAsync(file.FileCode).ConfigureAwait(false);
            }

            gate.Release();
        }
    }

    /// <summary>The fonds a new record file goes into: it must exist and be open.</summary>
    private async ValueTask<Versioned<Fonds>> OpenFondsAsync(string? fondsCode, CancellationToken cancellationToken)
    {
        var fonds = await _fonds.GetAsync(fondsCode ?? string.Empty, cancellationToken).ConfigureAwait(false)
            ?? throw new ArchiveValidationException("fondsCode", "fonds.not-found", $"Fonds '{fondsCode}' does not exist.");
        if (fonds.Value.Status == FondsStatus.Closed)
        {
            throw new FondsClosedException(fonds.Value.Code, fonds.Value.ClosedOn);
        }

        return fonds;
    }

    /// <summary>
    /// Commits version 1 of a new record file holding the fonds lock shared (record files of one fonds are created in
    /// parallel; closing the fonds takes the lock exclusively).
    /// </summary>
    private async ValueTask<Versioned<RecordFile>> CommitNewAsync(string fondsCode, RecordFile file, string message, ArchiveUser user, Action<PackageCommit>? extra, CancellationToken cancellationToken)
    {
        using (await _fonds.LockSharedAsync(fondsCode, cancellationToken).ConfigureAwait(false))
        {
            // Re-read under the fonds lock: it may have been closed since it was checked.
            var now = await _fonds.GetAsync(fondsCode, cancellationToken).ConfigureAwait(false);
            if (now is null || now.Value.Status == FondsStatus.Closed)
            {
                throw new FondsClosedException(fondsCode, now?.Value.ClosedOn);
            }

            return await _store.CommitAsync(file.FileCode, file, 0, message, user, extra, null, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Replaces the record file's own elements. Identity (fonds, year, notation, OrganId) cannot change; documents,
    /// weeding, legal hold, accession and the physical location and carrier are kept.
    /// </summary>
    /// <exception cref="ArchiveNotFoundException">No such record file.</exception>
    /// <exception cref="ArchiveValidationException">A rule is broken; nothing is stored.</exception>
    /// <exception cref="ArchivePreconditionFailedException">The file changed since <paramref name="expectedVersion"/>.</exception>
    /// <exception cref="ArchiveConflictException">The file is under legal hold or accessioned.</exception>
    public ValueTask<WriteResult<RecordFile>> UpdateAsync(string fileCode, RecordFileInput input, int? expectedVersion, ArchiveUser user, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        return MutateAsync(fileCode, expectedVersion, user, false, $"Update record file {fileCode}", async (current, fonds, errors, warnings, ct) =>
        {
            var c = current.Value;
            var schedule = await _schedules.GetEffectiveAsync(fonds.AgencyId, ct).ConfigureAwait(false);
            if (!string.Equals(input.FondsCode?.Trim(), c.FondsCode, StringComparison.Ordinal))
            {
                errors.Add(new("fondsCode", "record-file.identity-immutable", $"The fonds of a record file cannot change (it is '{c.FondsCode}')."));
            }

            if (input.FileCatalog != c.FileCatalog)
            {
                errors.Add(new("fileCatalog", "record-file.identity-immutable", $"The year of a record file is part of its code and cannot change (it is {c.FileCatalog})."));
            }

            if (!string.Equals(input.FileNotation?.Trim(), c.FileNotation, StringComparison.Ordinal))
            {
                errors.Add(new("fileNotation", "record-file.identity-immutable", $"The file notation is part of the file code and cannot change (it is '{c.FileNotation}')."));
            }

            var next = Build(input with { FondsCode = c.FondsCode, FileCatalog = c.FileCatalog, FileNotation = c.FileNotation }, fonds, schedule, c, errors, warnings);
            return new Mutation(next with
            {
                Documents = c.Documents,
                NonArchival = c.NonArchival,
                LegalHold = c.LegalHold,
                AccessionedAt = c.AccessionedAt,
                Location = c.Location, // changed by a move only (LocationService), audited as one
                Carrier = c.Carrier,
            });
        }, cancellationToken);
    }

    // ----------------------------------------------------------------------------------------------- documents

    /// <summary>
    /// Adds a document; its ordinal is <see cref="DocumentInput.DocOrdinal"/> or the next free one. A duplicate
    /// number + symbol + issuing body + year in the same agency is reported as a warning.
    /// </summary>
    public ValueTask<WriteResult<RecordFile>> AddDocumentAsync(string fileCode, DocumentInput input, int? expectedVersion, ArchiveUser user, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        return MutateAsync(fileCode, expectedVersion, user, false, null, async (current, fonds, errors, warnings, ct) =>
        {
            var c = current.Value;
            var ordinal = input.DocOrdinal ?? NextOrdinal(c);
            if (c.Documents.Any(d => d.DocOrdinal == ordinal))
            {
                errors.Add(new("docOrdinal", "doc-ordinal.taken", $"Document {ordinal} already exists in record file '{c.FileCode}'."));
            }

            var document = BuildDocument(input, ordinal, null);
            var next = c with { Documents = [.. c.Documents, document] };
            await CheckDuplicatesAsync(next, document, warnings, ct).ConfigureAwait(false);
            return new Mutation(next, $"Add document {ordinal} to {c.FileCode}") { FieldPrefix = $"documents[{ordinal}]." };
        }, cancellationToken);
    }

    /// <summary>Replaces a document's elements (content files and weeding mark are kept; page count kept unless given).</summary>
    /// <exception cref="ArchiveNotFoundException">No such record file or document.</exception>
    public ValueTask<WriteResult<RecordFile>> UpdateDocumentAsync(string fileCode, int docOrdinal, DocumentInput input, int? expectedVersion, ArchiveUser user, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        return MutateAsync(fileCode, expectedVersion, user, false, $"Update document {docOrdinal} of {fileCode}", async (current, fonds, errors, warnings, ct) =>
        {
            var c = current.Value;
            var existing = FindDocument(c, docOrdinal);
            if (input.DocOrdinal is { } o && o != docOrdinal)
            {
                errors.Add(new("docOrdinal", "doc-ordinal.immutable", $"A document's ordinal cannot change (it is {docOrdinal})."));
            }

            var document = BuildDocument(input, docOrdinal, existing);
            var next = c with { Documents = c.Documents.Select(d => d.DocOrdinal == docOrdinal ? document : d).ToList() };
            await CheckDuplicatesAsync(next, document, warnings, ct).ConfigureAwait(false);
            return new Mutation(next) { FieldPrefix = $"documents[{docOrdinal}]." };
        }, cancellationToken);
    }
}
