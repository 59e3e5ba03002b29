using System.IO.Packaging;
using System.Text;
using DocumentFormat.OpenXml;

namespace Archive.Documents;

/// <summary>
/// A write-only Office package (OPC zip) whose parts are written one after the other with
/// <see cref="OpenXmlWriter"/>, straight into the zip: nothing is buffered in memory. (An
/// <c>OpenXmlPackage</c> opened read-write keeps every part in memory until it is saved — the ZipArchive
/// update mode — which a 100 000-row catalogue cannot afford.) The order of writing is the zip order, so a
/// part must be complete before the next one is created; relationships and content types are written when the
/// package is disposed.
/// </summary>
internal sealed class OfficePackage : IDisposable
{
    internal const string OfficeDocumentRel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument";
    internal const string StylesRel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles";
    internal const string WorksheetRel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet";
    internal const string FooterRel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer";
    internal const string CorePropertiesRel = "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties";

    private readonly Package _package;

    public OfficePackage(Stream output)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (!output.CanWrite)
        {
            throw new ArgumentException("The output stream must be writable.", nameof(output));
        }

        _package = Package.Open(output, FileMode.Create, FileAccess.Write);
    }

    /// <summary>Creates a part and writes its XML at once.</summary>
    public PackagePart Write(string uri, string contentType, Action<OpenXmlWriter> write)
    {
        var part = _package.CreatePart(new Uri(uri, UriKind.Relative), contentType, CompressionOption.Normal);
        using (var stream = part.GetStream(FileMode.Create, FileAccess.Write))
        using (var writer = OpenXmlWriter.Create(stream, Encoding.UTF8))
        {
            writer.WriteStartDocument(true);
            write(writer);
        }

        return part;
    }

    /// <summary>Writes the core properties (title, creator) part and relates it to the package.</summary>
    public void WriteCoreProperties(string title, string? creator)
    {
        _package.PackageProperties.Title = Fmt.Clean(title);
        if (creator is not null)
        {
            _package.PackageProperties.Creator = Fmt.Clean(creator);
        }

        _package.PackageProperties.Language = "vi-VN";
    }

    /// <summary>Relates the package to its main part.</summary>
    public void RelateMain(PackagePart main) => _package.CreateRelationship(main.Uri, TargetMode.Internal, OfficeDocumentRel, "rId1");

    public void Dispose() => _package.Close();
}
