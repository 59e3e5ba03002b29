using System.Runtime.CompilerServices;
using System.Text;
using Archive.Packages;
using Archive.Storage;

namespace Archive.Records;

public sealed partial class RecordFileService
{
    // ----------------------------------------------------------------------------------------------- reads

    /// <summary>The record file at its head version, or null.</summary>
    public async ValueTask<Versioned<RecordFile>?> GetAsync(string fileCode, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(fileCode);
        return await _store.GetAsync(fileCode, null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The record file as it was at <paramref name="version"/>, or null when the file or version does not exist.</summary>
    public async ValueTask<Versioned<RecordFile>?> GetVersionAsync(string fileCode, int version, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(fileCode);
        return await _store.GetAsync(fileCode, version, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Every version of the record file, oldest first (who, when, why).</summary>
    /// <exception cref="ArchiveNotFoundException">No such record file.</exception>
    public async ValueTask<IReadOnlyList<VersionInfo>> GetHistoryAsync(string fileCode, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(fileCode);
        return await _store.HistoryAsync(fileCode, cancellationToken).ConfigureAwait(false) ?? throw new ArchiveNotFoundException("record-file", fileCode);
    }

    /// <summary>
    /// Record files at their head versions, optionally only those of one agency or fonds, read from storage (not from
    /// the search index) in the package store's listing order (stable, but not sorted by file code).
    /// </summary>
    public async IAsyncEnumerable<Versioned<RecordFile>> ListAsync(RecordFileQuery? query = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        string? agency = query?.AgencyId;
        if (query?.FondsCode is { } fondsCode)
        {
            var fonds = await _fonds.GetAsync(fondsCode, cancellationToken).ConfigureAwait(false);
            if (fonds is null)
            {
                yield break;
            }

            if (agency is not null && !string.Equals(agency, fonds.Value.AgencyId, StringComparison.Ordinal))
            {
                yield break;
            }

            agency = fonds.Value.AgencyId;
        }

        // File codes start with OrganId + '.', so the package id rules most files out without reading them; the
        // OrganId / FondsCode checks below are exact (a longer identifier may share the prefix).
        var prefix = agency is null ? null : agency + ".";
        await foreach (var id in _storage.Files.ListPackagesAsync(query?.After, cancellationToken).ConfigureAwait(false))
        {
            if (prefix is not null && !id.StartsWith(prefix, StringComparison.Ordinal))
            {
                continue;
            }

            var file = await _store.GetAsync(id, null, cancellationToken).ConfigureAwait(false);
            if (file is null || (query?.FondsCode is { } f && !string.Equals(file.Value.FondsCode, f, StringComparison.Ordinal)))
            {
                continue;
            }

            if (agency is not null && !string.Equals(file.Value.OrganId, agency, StringComparison.Ordinal))
            {
                continue;
            }

            yield return file;
        }
    }

    /// <summary>Weeded-out material (whole files and single documents), listed apart from the archival records.</summary>
    public async IAsyncEnumerable<NonArchivalEntry> ListNonArchivalAsync(string? agencyId = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var file in ListAsync(new RecordFileQuery { AgencyId = agencyId }, cancellationToken).ConfigureAwait(false))
        {
            var f = file.Value;
            if (f.NonArchival is { } mark)
            {
                yield return new NonArchivalEntry(f.FileCode, null, f.Title, mark);
            }

            foreach (var d in f.Documents)
            {
                if (d.NonArchival is { } dm)
                {
                    yield return new NonArchivalEntry(f.FileCode, d.DocOrdinal, d.Subject, dm);
                }
            }
        }
    }

    /// <summary>
    /// Opens a content file of a document for streamed reading, whole or a byte range, at the head or a past version;
    /// null when the file, version, document or content does not exist.
    /// </summary>
    /// <exception cref="ArchiveValidationException">The range cannot be satisfied.</exception>
    public async ValueTask<RecordContent?> OpenContentAsync(string fileCode, int docOrdinal, string fileName, ByteRange? range = null, int? version = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(fileCode);
        ArgumentNullException.ThrowIfNull(fileName);
        var file = await _store.GetAsync(fileCode, version, cancellationToken).ConfigureAwait(false);
        var name = fileName.Normalize(NormalizationForm.FormC);
        var content = file?.Value.Documents.FirstOrDefault(d => d.DocOrdinal == docOrdinal)?.Contents.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.Ordinal));
        if (file is null || content is null)
        {
            return null;
        }

        var stream = await _storage.Files.OpenFileAsync(fileCode, content.LogicalPath, file.Version, range, cancellationToken).ConfigureAwait(false);
        return stream is null ? null : new RecordContent(content, file.Version, stream);
    }

    /// <summary>The extracted text of a content file, page by page (1-based order); null when none was extracted.</summary>
    public async ValueTask<IReadOnlyList<string>?> GetContentTextAsync(string fileCode, int docOrdinal, string fileName, int? version = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(fileCode);
        ArgumentNullException.ThrowIfNull(fileName);
        var file = await _store.GetAsync(fileCode, version, cancellationToken).ConfigureAwait(false);
        var name = fileName.Normalize(NormalizationForm.FormC);
        var content = file?.Value.Documents.FirstOrDefault(d => d.DocOrdinal == docOrdinal)?.Contents.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.Ordinal));
        if (file is null || content?.TextPath is null)
        {
            return null;
        }

        return await _indexer.ReadPagesAsync(fileCode, content.TextPath, file.Version, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Re-hashes every stored file of the record file's package (fixity check).</summary>
    /// <exception cref="ArchiveNotFoundException">No such record file.</exception>
    public async ValueTask<FixityReport> VerifyAsync(string fileCode, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(fileCode);
        _ = await _storage.Files.GetInventoryAsync(fileCode, cancellationToken).ConfigureAwait(false)
            ?? throw new ArchiveNotFoundException("record-file", fileCode);
        return await _storage.Files.VerifyAsync(fileCode, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Checks the fixity of every stored package: agencies, fonds, record files and schedules, one report each.</summary>
    public async IAsyncEnumerable<PackageFixity> VerifyAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var (name, store) in _storage.Collections)
        {
            await foreach (var id in store.ListPackagesAsync(null, cancellationToken).ConfigureAwait(false))
            {
                yield return new PackageFixity(name, await store.VerifyAsync(id, cancellationToken).ConfigureAwait(false));
            }
        }
    }
}
