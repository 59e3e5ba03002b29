using Archive.Hosting;
using Archive.Records;
using Microsoft.Extensions.Options;

namespace Archive.Retention;

/// <summary>A record file that falls due.</summary>
public sealed record RetentionDueItem
{
    /// <summary>File code.</summary>
    public required string FileCode { get; init; }

    /// <summary>Fonds.</summary>
    public required string FondsCode { get; init; }

    /// <summary>Agency (<c>OrganId</c>).</summary>
    public required string OrganId { get; init; }

    /// <summary>Title.</summary>
    public required string Title { get; init; }

    /// <summary>Retention.</summary>
    public required Archive.Retention.RetentionPeriod Maintenance { get; init; }

    /// <summary>Schedule item, when classified.</summary>
    public string? ScheduleItemCode { get; init; }

    /// <summary>The year the work ended (end date's year, else the file's year).</summary>
    public required int ClosingYear { get; init; }

    /// <summary>The year the file falls due (appraisal: closing year + retention years; transfer: closing year + years into the agency archive + years to transfer).</summary>
    public required int DueYear { get; init; }

    /// <summary>Documents (archival) and pages, for the catalogue.</summary>
    public int DocTotal { get; init; }

    /// <summary>Pages (archival documents).</summary>
    public int PageTotal { get; init; }

    /// <summary>The package version the item was read from.</summary>
    public int Version { get; init; }

    /// <summary>Why a due file is withheld (e.g. <c>legal-hold</c>); null for due files.</summary>
    public string? WithheldReason { get; init; }
}

/// <summary>Files due on a date, and those that would be due but are withheld.</summary>
public sealed record RetentionDueReport
{
    /// <summary>The date the report was computed for.</summary>
    public required DateOnly AsOf { get; init; }

    /// <summary>Files that fall due, by due year then file code.</summary>
    public required IReadOnlyList<RetentionDueItem> Due { get; init; }

    /// <summary>Files that would fall due but must not be acted on (under legal hold); never destroyed or moved while held.</summary>
    public required IReadOnlyList<RetentionDueItem> Withheld { get; init; }
}

/// <summary>
/// Computes due dates from record files in storage (not from the search index).
/// </summary>
/// <remarks>
/// Closing year = <see cref="RecordFile.EndDate"/>'s year, else <see cref="RecordFile.FileCatalog"/>.
/// <para>Appraisal (fixed-term files): due year = closing year + retention years; a file is due when the due year is at
/// or before the report date's year. "Until superseded" files have no computable date and are not listed.</para>
/// <para>Transfer to the Historical Archives (permanent files only): due year = closing year +
/// <see cref="ArchiveOptions.YearsIntoAgencyArchive"/> (1) + <see cref="ArchiveOptions.YearsToTransfer"/> (5), the
/// Archives Law 2024 art. 17 deadlines.</para>
/// <para>Left out of both lists: unfinished files (the work has not ended, the period has not started), files and
/// documents weeded out as non-archival (listed apart, never transferred; weeded documents are not counted in the
/// totals), and accessioned files (already transferred). Files under legal hold are reported in
/// <see cref="RetentionDueReport.Withheld"/> rather than as due: a frozen file is neither destroyed nor moved.</para>
/// </remarks>
public sealed class RetentionPlanner
{
    private readonly RecordFileService _files;
    private readonly ArchiveOptions _options;

    /// <summary>Creates the planner.</summary>
    public RetentionPlanner(RecordFileService files, IOptions<ArchiveOptions> options)
    {
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(options);
        _files = files;
        _options = options.Value;
    }

    /// <summary>The year the work ended, from which retention counts.</summary>
    public static int ClosingYear(RecordFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        return file.EndDate?.Year ?? file.FileCatalog;
    }

    /// <summary>The year a fixed-term file may be appraised for destruction; null for permanent and until-superseded files.</summary>
    public static int? AppraisalDueYear(RecordFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        return file.Maintenance.DueYear(ClosingYear(file));
    }

    /// <summary>The year a permanent file is due at the Historical Archives (with the configured years); null for other files.</summary>
    public int? TransferDueYear(RecordFile file) => TransferDueYear(file, _options.YearsIntoAgencyArchive, _options.YearsToTransfer);

    /// <summary>The year a permanent file is due at the Historical Archives: closing year + both periods; null for other files.</summary>
    public static int? TransferDueYear(RecordFile file, int yearsIntoAgencyArchive, int yearsToTransfer)
    {
        ArgumentNullException.ThrowIfNull(file);
        return file.Maintenance.IsPermanent ? ClosingYear(file) + yearsIntoAgencyArchive + yearsToTransfer : null;
    }

    /// <summary>Fixed-term files whose retention has run out by <paramref name="asOf"/> (to be appraised: destroy or extend).</summary>
    public ValueTask<RetentionDueReport> DueForAppraisalAsync(DateOnly asOf, string? agencyId = null, CancellationToken cancellationToken = default)
        => BuildAsync(asOf, agencyId, AppraisalDueYear, cancellationToken);

    /// <summary>Permanent files due for transfer to the Historical Archives by <paramref name="asOf"/>.</summary>
    public ValueTask<RetentionDueReport> DueForTransferAsync(DateOnly asOf, string? agencyId = null, CancellationToken cancellationToken = default)
        => BuildAsync(asOf, agencyId, TransferDueYear, cancellationToken);

    private async ValueTask<RetentionDueReport> BuildAsync(DateOnly asOf, string? agencyId, Func<RecordFile, int?> dueYear, CancellationToken cancellationToken)
    {
        var due = new List<RetentionDueItem>();
        var withheld = new List<RetentionDueItem>();
        await foreach (var v in _files.ListAsync(new RecordFileQuery { AgencyId = agencyId }, cancellationToken).ConfigureAwait(false))
        {
            var f = v.Value;
            if (f.Status != RecordFileStatus.Finished || f.NonArchival is not null || f.AccessionedAt is not null)
            {
                continue;
            }

            if (dueYear(f) is not { } year || year > asOf.Year)
            {
                continue;
            }

            var item = new RetentionDueItem
            {
                FileCode = f.FileCode,
                FondsCode = f.FondsCode,
                OrganId = f.OrganId,
                Title = f.Title,
                Maintenance = f.Maintenance,
                ScheduleItemCode = f.ScheduleItemCode,
                ClosingYear = ClosingYear(f),
                DueYear = year,
                DocTotal = f.DocTotal,
                PageTotal = f.PageTotal,
                Version = v.Version,
                WithheldReason = f.LegalHold ? "legal-hold" : null,
            };
            (f.LegalHold ? withheld : due).Add(item);
        }

        static List<RetentionDueItem> Sort(List<RetentionDueItem> l) => l.OrderBy(i => i.DueYear).ThenBy(i => i.FileCode, StringComparer.Ordinal).ToList();
        return new RetentionDueReport { AsOf = asOf, Due = Sort(due), Withheld = Sort(withheld) };
    }
}
