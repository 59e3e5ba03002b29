using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Archive.Packages;
using BenchmarkDotNet.Attributes;

namespace Archive.MicroBench;

/// <summary>
/// OCFL inventory (inventory.json) serialisation and parsing, as done on every package commit and open: the
/// inventory of a record file that grew one version per change — metadata rewritten each version, a PDF and its
/// extracted-text file added every other version — with <see cref="Versions"/> versions.
/// </summary>
[MemoryDiagnoser]
[MinColumn]
[MedianColumn]
public class InventoryBenchmarks
{
    private OcflInventoryDocument _inventory = null!;
    private byte[] _json = [];

    [Params(10, 100)]
    public int Versions { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var inv = new OcflInventoryDocument { Id = "000.00.00.B01.2015.000001.BENCH", Head = OcflInventoryDocument.VersionName(Versions), ContentDirectory = "content" };
        var state = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        for (var v = 1; v <= Versions; v++)
        {
            var name = OcflInventoryDocument.VersionName(v);
            void Add(string logical, string seed)
            {
                var digest = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(seed)));
                inv.Manifest[digest] = [$"{name}/content/{logical}"];
                foreach (var (path, list) in state.Where(s => s.Value.Contains(logical)).ToList())
                {
                    list.Remove(logical);
                    if (list.Count == 0)
                    {
                        state.Remove(path);
                    }
                }

                state[digest] = [logical];
            }

            Add("metadata/recordfile.json", "meta" + v);
            if (v % 2 == 0)
            {
                var doc = (v / 2).ToString("D3", CultureInfo.InvariantCulture);
                Add($"content/{doc}/Văn bản số {doc}.pdf", "pdf" + v);
                Add($"derived/{doc}/Văn bản số {doc}.pdf.pages.json", "text" + v);
            }

            inv.Versions[name] = new OcflVersionDocument
            {
                Created = OcflInventoryDocument.FormatCreated(new DateTimeOffset(2025, 1, 1, 8, 0, 0, TimeSpan.FromHours(7)).AddMinutes(v)),
                Message = v % 2 == 0 ? "Thêm nội dung văn bản" : "Cập nhật hồ sơ",
                User = new OcflUserDocument { Name = "Nguyễn Văn Đo", Address = "mailto:bench@example.invalid" },
                State = state.ToDictionary(kv => kv.Key, kv => kv.Value.ToList(), StringComparer.Ordinal),
            };
        }

        _inventory = inv;
        _json = inv.ToJson();
        Console.WriteLine($"// inventory.json with {Versions} versions: {_json.Length} bytes, {inv.Manifest.Count} manifest entries");
    }

    [Benchmark]
    public byte[] Serialise() => _inventory.ToJson();

    [Benchmark]
    public int Parse() => OcflInventoryDocument.Parse(_json)!.Versions.Count;
}
