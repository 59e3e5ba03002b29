using Archive.Packages;
using Archive.Retention;

namespace Archive.Records;

public sealed partial class RecordFileService
{
    // ----------------------------------------------------------------------------------------------- constant work

    /// <summary>
    /// Storage root of the decoy record file (outside every collection: never listed, indexed, verified or exported).
    /// </summary>
    internal const string DecoyRoot = "security/decoy";

    private const string DecoyId = "decoy";

    private PackageEntityStore<RecordFile>? _decoy;

    private PackageEntityStore<RecordFile> Decoy
        => _decoy ??= new PackageEntityStore<RecordFile>(new OcflPackageStore(_storage.Objects, new OcflPackageStoreOptions { Prefix = DecoyRoot }), "record-file", MetadataPath);

    /// <summary>
    /// Evens out the storage work of a read the caller is refused with "not found", so that its time does not tell a
    /// missing record file from one the caller may not see. Reading a record file that exists is an inventory read
    /// (inventory + sidecar, twice) and a metadata read; reading one that does not exist is a single miss. So after a
    /// miss (<paramref name="found"/> false) the same reads are done on a decoy record file of a typical size, and after
    /// a read of a hidden one (<paramref name="found"/> true) one miss is added: both paths then do the same operations,
    /// one miss and five reads (the first miss ever also writes the decoy, once per storage).
    /// </summary>
    internal async ValueTask BalanceRefusedReadAsync(bool found, CancellationToken cancellationToken)
    {
        if (found)
        {
            _ = await Decoy.Packages.GetInventoryAsync("absent", cancellationToken).ConfigureAwait(false);
            return;
        }

        if (await Decoy.GetAsync(DecoyId, null, cancellationToken).ConfigureAwait(false) is null)
        {
            try
            {
                await Decoy.CommitAsync(DecoyId, DecoyFile(), 0, "Decoy record file (constant-work reads)", new ArchiveUser("system"), null, null, cancellationToken).ConfigureAwait(false);
            }
            catch (ArchiveConflictException)
            {
                // Another host wrote it first.
            }
        }
    }

    private static RecordFile DecoyFile() => new()
    {
        FileCode = "000.00.00.A00.2000.01.DECOY",
        OrganId = "000.00.00.A00",
        FileCatalog = 2000,
        FileNotation = "01.DECOY",
        FondsCode = "DECOY",
        Title = "Hồ sơ giả dùng để cân bằng thời gian đọc: không phải hồ sơ lưu trữ, không xuất hiện trong danh sách hay tìm kiếm.",
        Maintenance = RetentionPeriod.OfYears(10),
        Description = new string('.', 200),
        Keywords = ["cân bằng", "thời gian"],
        Documents = Enumerable.Range(1, 3).Select(i => new Document
        {
            DocOrdinal = i,
            TypeName = "Công văn",
            CodeNumber = i.ToString("D2", System.Globalization.CultureInfo.InvariantCulture),
            CodeNotation = "BNV-VP",
            OrganName = "Cơ quan",
            Subject = "Về việc cân bằng thời gian đọc của các yêu cầu bị từ chối",
            PageAmount = 2,
        }).ToList(),
        DocTotal = 3,
        PageTotal = 6,
    };
}
