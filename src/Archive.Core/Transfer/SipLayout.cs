using System.Globalization;
using System.Text;

namespace Archive.Transfer;

/// <summary>
/// Layout of a submission package (SIP) to the Historical Archives: E-ARK CSIP/SIP as used by Circular 05/2025.
/// </summary>
/// <remarks>
/// <code>
/// &lt;transfer id&gt;/
///   METS.xml                                  root METS (commit point: written last)
///   METS.xml.p7s                              optional seal: detached CMS signature of METS.xml
///   metadata/descriptive/submission.json      submitting agency, Historical Archives, fonds
///   metadata/descriptive/&lt;file code&gt;/recordfile.json   the record file's metadata (Decree 30 / Circular 05 elements)
///   metadata/descriptive/&lt;file code&gt;/dc.xml            the same as Dublin Core
///   metadata/preservation/PREMIS.xml          objects (fixity SHA-256), events, agents
///   representations/rep1/data/&lt;file code&gt;/&lt;NNN&gt;/&lt;name&gt;   content of the archival documents
///   documentation/muc-luc-ho-so-nop-luu.json|csv  deposit catalogue
///   documentation/bien-ban-thu-nop.json           transfer record data (draft)
/// </code>
/// Every file but METS.xml and its seal is referenced from METS.xml with its SIZE, CREATED and SHA-256 CHECKSUM
/// (metadata through <c>dmdSec</c>/<c>amdSec</c> <c>mdRef</c>, documentation and content through <c>fileSec</c>).
/// </remarks>
public static class SipLayout
{
    /// <summary>Root METS.</summary>
    public const string Mets = "METS.xml";

    /// <summary>Seal of the root METS.</summary>
    public const string MetsSeal = "METS.xml.p7s";

    /// <summary>Present while an export is running.</summary>
    public const string IncompleteMarker = "SIP-INCOMPLETE.txt";

    /// <summary>Descriptive metadata folder.</summary>
    public const string Descriptive = "metadata/descriptive/";

    /// <summary>Package-level descriptive metadata (agencies, fonds).</summary>
    public const string Submission = "metadata/descriptive/submission.json";

    /// <summary>PREMIS preservation metadata.</summary>
    public const string Premis = "metadata/preservation/PREMIS.xml";

    /// <summary>Content of the single representation.</summary>
    public const string Data = "representations/rep1/data/";

    /// <summary>Documentation folder (E-ARK CSIPSTR16: <c>documentation</c>; its file group has USE "Documentation", CSIP64).</summary>
    public const string Documents = "documentation/";

    /// <summary>Deposit catalogue, JSON.</summary>
    public const string CatalogueJson = "documentation/muc-luc-ho-so-nop-luu.json";

    /// <summary>Deposit catalogue, CSV.</summary>
    public const string CatalogueCsv = "documentation/muc-luc-ho-so-nop-luu.csv";

    /// <summary>Transfer record data, JSON.</summary>
    public const string RecordJson = "documentation/bien-ban-thu-nop.json";

    /// <summary>METS namespace.</summary>
    public const string MetsNs = "http://www.loc.gov/METS/";

    /// <summary>XLink namespace.</summary>
    public const string XlinkNs = "http://www.w3.org/1999/xlink";

    /// <summary>E-ARK CSIP METS extension namespace.</summary>
    public const string CsipNs = "https://DILCIS.eu/XML/METS/CSIPExtensionMETS";

    /// <summary>E-ARK SIP METS extension namespace.</summary>
    public const string SipNs = "https://DILCIS.eu/XML/METS/SIPExtensionMETS";

    /// <summary>XML Schema instance namespace.</summary>
    public const string XsiNs = "http://www.w3.org/2001/XMLSchema-instance";

    /// <summary>PREMIS 3 namespace.</summary>
    public const string PremisNs = "http://www.loc.gov/premis/v3";

    /// <summary>Dublin Core elements namespace.</summary>
    public const string DcNs = "http://purl.org/dc/elements/1.1/";

    /// <summary>The checksum type written and required.</summary>
    public const string ChecksumType = "SHA-256";

    /// <summary>Vietnam's UTC offset (no daylight saving): every timestamp in a package carries +07:00.</summary>
    public static readonly TimeSpan VietnamOffset = TimeSpan.FromHours(7);

    /// <summary>Descriptive metadata folder of a record file.</summary>
    public static string DescriptiveFolder(string fileCode) => Descriptive + fileCode + "/";

    /// <summary>Content folder of a record file.</summary>
    public static string DataFolder(string fileCode) => Data + fileCode + "/";

    /// <summary>ISO 8601 with the +07:00 offset, e.g. <c>2026-11-25T10:15:00+07:00</c>.</summary>
    public static string Timestamp(DateTimeOffset value)
        => value.ToOffset(VietnamOffset).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);

    /// <summary>A relative path as an <c>xlink:href</c>: every segment percent-encoded (RFC 3986), '/' kept.</summary>
    public static string Href(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return string.Join('/', path.Split('/').Select(Uri.EscapeDataString));
    }

    /// <summary>The relative path of an <c>xlink:href</c> (decoded, NFC).</summary>
    public static string FromHref(string href)
    {
        ArgumentNullException.ThrowIfNull(href);
        return Uri.UnescapeDataString(href).Normalize(NormalizationForm.FormC);
    }

    /// <summary>A METS/PREMIS identifier (xs:ID) derived from a path: letters, digits, '-', '_', '.' and a prefix.</summary>
    public static string Id(string prefix, int n) => string.Create(CultureInfo.InvariantCulture, $"{prefix}-{n:D6}");

    /// <summary>A number in Vietnamese words, e.g. 21 → <c>hai mươi mốt</c> (for totals "bằng chữ").</summary>
    public static string InWords(long number)
    {
        if (number == 0)
        {
            return "không";
        }

        if (number < 0)
        {
            return "âm " + InWords(-number);
        }

        string[] units = ["", " nghìn", " triệu", " tỷ"];
        var groups = new List<int>();
        for (var n = number; n > 0; n /= 1000)
        {
            groups.Add((int)(n % 1000));
        }

        var parts = new List<string>();
        for (var i = groups.Count - 1; i >= 0; i--)
        {
            if (groups[i] == 0)
            {
                continue;
            }

            var full = i < groups.Count - 1; // a higher group exists: read hundreds and "lẻ" fully
            parts.Add(Triple(groups[i], full) + (i < units.Length ? units[i] : string.Empty));
        }

        return string.Join(' ', parts);
    }

    private static string Triple(int n, bool full)
    {
        string[] digits = ["không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"];
        int h = n / 100, t = n / 10 % 10, u = n % 10;
        var words = new List<string>();
        if (h > 0 || full)
        {
            words.Add(digits[h] + " trăm");
        }

        if (t == 0 && u > 0 && (h > 0 || full))
        {
            words.Add("lẻ");
        }
        else if (t == 1)
        {
            words.Add("mười");
        }
        else if (t > 1)
        {
            words.Add(digits[t] + " mươi");
        }

        if (u > 0)
        {
            words.Add(u switch
            {
                1 when t > 1 => "mốt",
                5 when t > 0 => "lăm",
                4 when t > 1 => "tư",
                _ => digits[u],
            });
        }

        return string.Join(' ', words);
    }
}
