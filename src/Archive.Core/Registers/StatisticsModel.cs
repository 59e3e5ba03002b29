using System.ComponentModel.DataAnnotations;

namespace Archive.Registers;

/// <summary>What to count: every filter is optional and they combine.</summary>
public sealed record StatisticsRequest
{
    /// <summary>Only record files of fonds this agency holds (custodian), and its backlog.</summary>
    public string? AgencyId { get; init; }

    /// <summary>Only record files (and backlog) of this fonds.</summary>
    public string? FondsCode { get; init; }

    /// <summary>Only record files formed in this year (<c>FileCatalog</c>); backlog batches whose years include it.</summary>
    public int? Year { get; init; }

    /// <summary>Only record files whose dates (start–end) reach this day or later; backlog batches whose years reach its year.</summary>
    public DateOnly? From { get; init; }

    /// <summary>Only record files whose dates (start–end) begin on or before this day; backlog batches whose years begin by its year.</summary>
    public DateOnly? To { get; init; }
}

/// <summary>Counts of record files; never negative.</summary>
public sealed record StatisticsCounts
{
    /// <summary>Record files (hồ sơ).</summary>
    public long Files { get; init; }

    /// <summary>Documents (văn bản) not weeded out.</summary>
    public long Documents { get; init; }

    /// <summary>Pages (<c>PageTotal</c> of the files).</summary>
    public long Pages { get; init; }

    /// <summary>Bytes of the content files of those documents.</summary>
    public long Bytes { get; init; }

    /// <summary>Distinct boxes (room and box number) the files are kept in.</summary>
    public long Boxes { get; init; }

    /// <summary>Shelf metres (mét giá): boxes × the configured box width.</summary>
    public decimal ShelfMetres { get; init; }
}

/// <summary>One line of a breakdown.</summary>
/// <param name="Key">Stable key (an agency id, fonds code, year, or an enum name such as <c>Permanent</c>).</param>
/// <param name="Label">Vietnamese label for a clerk.</param>
/// <param name="Counts">The counts.</param>
public sealed record StatisticsRow(string Key, string Label, StatisticsCounts Counts);

/// <summary>One line of the backlog's breakdown (by status or by location).</summary>
/// <param name="Key">Status name, or the location as written (empty when none).</param>
/// <param name="Label">Vietnamese label.</param>
/// <param name="Batches">Batches.</param>
/// <param name="ShelfMetres">Their shelf metres.</param>
/// <param name="ProcessedMetres">Metres processed.</param>
/// <param name="RemainingMetres">Metres left to process.</param>
/// <param name="Boxes">Boxes.</param>
/// <param name="Bundles">Bundles.</param>
/// <param name="Files">Record files produced.</param>
public sealed record BacklogStatisticsRow(string Key, string Label, int Batches, decimal ShelfMetres, decimal ProcessedMetres, decimal RemainingMetres, long Boxes, long Bundles, long Files);

/// <summary>The backlog (tài liệu tồn đọng): how much, how much is left, where, and how fast it is processed.</summary>
public sealed record BacklogStatistics
{
    /// <summary>Batches.</summary>
    public int Batches { get; init; }

    /// <summary>Shelf metres registered.</summary>
    public decimal ShelfMetres { get; init; }

    /// <summary>Shelf metres processed.</summary>
    public decimal ProcessedMetres { get; init; }

    /// <summary>Shelf metres left.</summary>
    public decimal RemainingMetres { get; init; }

    /// <summary>Boxes.</summary>
    public long Boxes { get; init; }

    /// <summary>Bundles.</summary>
    public long Bundles { get; init; }

    /// <summary>Record files produced from the batches.</summary>
    public long FilesProduced { get; init; }

    /// <summary>When the first of the batches was started (null: none started).</summary>
    public DateTimeOffset? FirstStartedAt { get; init; }

    /// <summary>Processing speed: metres processed per month (of 30.44 days, at least one day counted) since <see cref="FirstStartedAt"/>; null when none started.</summary>
    public decimal? MetresPerMonth { get; init; }

    /// <summary>By status (NotProcessed, InProgress, Processed; every status listed).</summary>
    public IReadOnlyList<BacklogStatisticsRow> ByStatus { get; init; } = [];

    /// <summary>By location (where what is left is kept).</summary>
    public IReadOnlyList<BacklogStatisticsRow> ByLocation { get; init; } = [];
}

/// <summary>
/// Statistics of the record files a caller may read (issue #18 item 2), with breakdowns. Each breakdown partitions the
/// counted files, so its file, document, page and byte counts add up to <see cref="Totals"/>; box counts (and shelf
/// metres) are distinct per line, so a box holding files of two lines is counted in both.
/// </summary>
public sealed record RecordStatistics
{
    /// <summary>The filters applied.</summary>
    public required StatisticsRequest Request { get; init; }

    /// <summary>When counted.</summary>
    public required DateTimeOffset GeneratedAt { get; init; }

    /// <summary>The box width used for shelf metres (<c>Archive:Statistics:BoxWidthMetres</c>).</summary>
    public required decimal BoxWidthMetres { get; init; }

    /// <summary>All counted record files (weeded-out files are not counted, as in the catalogues).</summary>
    public required StatisticsCounts Totals { get; init; }

    /// <summary>By holding agency (custodian of the fonds).</summary>
    public required IReadOnlyList<StatisticsRow> ByAgency { get; init; }

    /// <summary>By fonds.</summary>
    public required IReadOnlyList<StatisticsRow> ByFonds { get; init; }

    /// <summary>By year formed (<c>FileCatalog</c>).</summary>
    public required IReadOnlyList<StatisticsRow> ByYear { get; init; }

    /// <summary>By retention: <c>Permanent</c>, <c>FixedTerm</c> (years), <c>UntilSuperseded</c> (by the document's period of force).</summary>
    public required IReadOnlyList<StatisticsRow> ByRetention { get; init; }

    /// <summary>By status: <c>Finished</c>, <c>Unfinished</c> (the catalogue and the unfinished list).</summary>
    public required IReadOnlyList<StatisticsRow> ByStatus { get; init; }

    /// <summary>By access level (a caller without clearance counts no Secret file).</summary>
    public required IReadOnlyList<StatisticsRow> ByAccess { get; init; }

    /// <summary>
    /// Paper or digital: <c>Paper</c> (a location, not digitised), <c>PaperAndDigitised</c> (a location and digitised or
    /// mixed), <c>Digitised</c> (digitised or mixed, no location), <c>BornDigital</c>, <c>NotStated</c>.
    /// </summary>
    public required IReadOnlyList<StatisticsRow> ByMedium { get; init; }

    /// <summary>
    /// Custody: <c>Held</c> (by the creating agency), <c>Transferred</c> (the fonds was handed over to another custodian),
    /// <c>Accessioned</c> (by the Historical Archives).
    /// </summary>
    public required IReadOnlyList<StatisticsRow> ByCustody { get; init; }

    /// <summary>Record files destroyed under executed decisions (from their tombstones; not part of <see cref="Totals"/>).</summary>
    public required StatisticsCounts Destroyed { get; init; }

    /// <summary>The backlog.</summary>
    public required BacklogStatistics Backlog { get; init; }
}

/// <summary>Settings of the statistics (<c>Archive:Statistics:*</c>).</summary>
public sealed class ArchiveStatisticsOptions
{
    /// <summary>
    /// Width of one archive box on the shelf, in metres, for shelf metres (mét giá) = distinct boxes × width. Default 0.1 m
    /// (a common 10 cm box; <b>unconfirmed</b> as a norm: set the width of the agency's boxes).
    /// </summary>
    [Range(0.01, 2.0)]
    public double BoxWidthMetres { get; set; } = 0.1;
}
