using Archive.Api.Contracts;
using Archive.Api.Http;
using Archive.Api.Mapping;
using Archive.Api.OpenApi;
using Archive.Api.Security;
using Archive.Audit;
using Archive.Hosting;
using Archive.Locations;
using Archive.Records;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace Archive.Api.Endpoints;

/// <summary>
/// Physical locations (issue #18 item 1): storage rooms (kho), placing and moving record files into boxes, the carrier
/// of a digitised copy, find by box, box labels and the location report. HTTP only: the rules are <see cref="LocationService"/>'s.
/// </summary>
internal static class LocationEndpoints
{
    private const string Docx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
    private const string Xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

    public static void Map(IEndpointRouteBuilder routes)
    {
        var rooms = routes.MapGroup("/storage-rooms").WithTags("Storage rooms");
        rooms.MapGet("/", ListRooms).WithName("ListStorageRooms").RequireAuthorization(ArchivePolicies.Read)
            .WithSummary("List storage rooms (kho lưu trữ), optionally of one agency");
        rooms.MapPost("/", CreateRoom).WithName("CreateStorageRoom").WithETag().RequireAuthorization(ArchivePolicies.Manage)
            .WithSummary("Register a storage room of an agency (the caller must act for that agency)")
            .AcceptsJson<CreateStorageRoomRequest>().ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status409Conflict);
        rooms.MapGet("/{roomCode}", GetRoom).WithName("GetStorageRoom").WithETag().RequireAuthorization(ArchivePolicies.Read)
            .WithSummary("Get a storage room").ProducesProblem(StatusCodes.Status404NotFound);
        rooms.MapGet("/{roomCode}/boxes", ListBoxes).WithName("ListStorageRoomBoxes").RequireAuthorization(ArchivePolicies.Read)
            .WithSummary("The boxes of a storage room holding record files the caller may read (box number, shelf, compartment, files, first and last file, years)")
            .WithDescription("Read from storage. A Secret record file is neither listed nor counted for a caller without clearance; a box holding only such files is not listed.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        rooms.MapGet("/{roomCode}/boxes/{boxNumber}", ListBox).WithName("ListStorageRoomBox").RequireAuthorization(ArchivePolicies.Read)
            .WithSummary("The record files in one box that the caller may read, in box order (position, year, notation)")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        rooms.MapGet("/{roomCode}/labels", Labels).WithName("GetBoxLabels").RequireAuthorization(ArchivePolicies.Read)
            .WithSummary("Box labels (nhãn hộp) of a storage room as DOCX: cơ quan, phông, hộp số, từ hồ sơ số … đến hồ sơ số, năm, thời hạn lưu trữ")
            .WithDescription("One label per box holding record files the caller may read, two to an A4 page; box (repeated, at most 500) = only these boxes "
                + "(a box holding no record file the caller may read: 422 location.box-empty on box[i]). The number of labels and of files are in the "
                + "headers Archive-Location-Boxes and Archive-Location-Files.")
            .Produces<Stream>(StatusCodes.Status200OK, Docx)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        rooms.MapGet("/{roomCode}/report", Report).WithName("GetLocationReport").RequireAuthorization(ArchivePolicies.Read)
            .WithSummary("The location report (báo cáo vị trí hồ sơ) of a storage room as XLSX or DOCX: kho, giá, khoang, hộp, số thứ tự, hồ sơ")
            .WithDescription("format = xlsx (default) or docx; box = only that box. Rows in shelf order; only record files the caller may read. "
                + "The totals are in the headers Archive-Location-Files and Archive-Location-Boxes.")
            .Produces<Stream>(StatusCodes.Status200OK, Xlsx, Docx)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status422UnprocessableEntity);

        var files = routes.MapGroup("/record-files").WithTags("Record files");
        const string MoveNote = "A new version of the record file, audited with where it was and where it is now (If-Match optional). "
            + "The room must be registered (422 roomCode location.room-unknown) and belong to the agency holding the file's fonds "
            + "(422 roomCode location.room-custody); shelf, compartment and box are labels of at most 20 characters, a number counting from 1 "
            + "(location.number-positive); positionInBox is 1 to 9999 (location.position-range). A file the caller may not read answers 404, "
            + "one it may read but not change 403.";
        files.MapPut("/{fileCode}/location", Move).WithName("MoveRecordFile").WithETag().RequireAuthorization(ArchivePolicies.Write)
            .WithSummary("Place or move a record file into a storage room's box (kho, giá, khoang, hộp, số thứ tự)")
            .WithDescription(MoveNote)
            .AcceptsJson<PhysicalLocationDto>()
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed);
        files.MapDelete("/{fileCode}/location", Unplace).WithName("RemoveRecordFileLocation").WithETag().RequireAuthorization(ArchivePolicies.Write)
            .WithSummary("Take a record file off the shelves (no location), audited as a move")
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed);
        files.MapPut("/{fileCode}/carrier", SetCarrier).WithName("SetRecordFileCarrier").WithETag().RequireAuthorization(ArchivePolicies.Write)
            .WithSummary("Record the storage device carrying the record file's digitised copy and its seal number")
            .WithDescription("A new version, audited with the carrier before and after (If-Match optional). medium is required (at most 100), deviceLabel at most 100, sealNumber at most 50.")
            .AcceptsJson<DigitalCarrierDto>()
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed);
        files.MapDelete("/{fileCode}/carrier", ClearCarrier).WithName("RemoveRecordFileCarrier").WithETag().RequireAuthorization(ArchivePolicies.Write)
            .WithSummary("Record that no device carries the record file's digitised copy any more")
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed);
    }

    private static async Task<Ok<List<StorageRoomDto>>> ListRooms([FromQuery] string? agencyId, StorageRoomRegistry rooms, ArchiveApiMapper mapper, CancellationToken cancellationToken)
    {
        var all = await rooms.ListAsync(agencyId, cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(all.Select(mapper.Map<StorageRoomDto>).ToList());
    }

    private static async Task<Created<StorageRoomDto>> CreateRoom(HttpContext http, StorageRoomRegistry rooms, ArchiveApiMapper mapper, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadAsync<CreateStorageRoomRequest>(http.Request, cancellationToken).ConfigureAwait(false);
        var result = await rooms.CreateAsync(mapper.Map<StorageRoomInput>(body), HttpCaller.Of(http), RequestContext.User(http), cancellationToken).ConfigureAwait(false);
        ETags.SetVersion(http.Response, result.Stored.Version);
        return TypedResults.Created(Links.Child(http, result.Stored.Value.Code), mapper.Map<StorageRoomDto>(result.Stored));
    }

    private static async Task<Ok<StorageRoomDto>> GetRoom(string roomCode, HttpContext http, StorageRoomRegistry rooms, ArchiveApiMapper mapper, CancellationToken cancellationToken)
    {
        var room = await rooms.GetAsync(roomCode, cancellationToken).ConfigureAwait(false) ?? throw new ArchiveNotFoundException("storage-room", roomCode);
        ETags.SetVersion(http.Response, room.Version);
        return TypedResults.Ok(mapper.Map<StorageRoomDto>(room));
    }

    private static async Task<Ok<List<BoxSummaryDto>>> ListBoxes(string roomCode, HttpContext http, LocationService locations, ArchiveApiMapper mapper, CancellationToken cancellationToken)
    {
        var boxes = await locations.ListBoxesAsync(roomCode, HttpCaller.Of(http), cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(boxes.Select(mapper.Map<BoxSummaryDto>).ToList());
    }

    private static async Task<Ok<List<BoxedRecordFileDto>>> ListBox(string roomCode, string boxNumber, HttpContext http, LocationService locations, ArchiveApiMapper mapper, CancellationToken cancellationToken)
    {
        var files = await locations.ListBoxAsync(roomCode, boxNumber, HttpCaller.Of(http), cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(files.Select(mapper.Map<BoxedRecordFileDto>).ToList());
    }

    private static Task<IResult> Labels(string roomCode, [FromQuery] string[]? box, HttpContext http, LocationService locations, IOptions<ArchiveOptions> archiveOptions, CancellationToken cancellationToken)
        => SpooledDownload.AnswerAsync(archiveOptions.Value, "labels", async file =>
        {
            LocationFileResult result;
            try
            {
                result = await locations.WriteLabelsAsync(new BoxLabelsRequest { RoomCode = roomCode, BoxNumbers = box }, HttpCaller.Of(http), file, cancellationToken).ConfigureAwait(false);
            }
            catch (ArchiveValidationException ex) when (ex.Errors.Any(e => e.Field.StartsWith("boxNumbers", StringComparison.Ordinal)))
            {
                // The engine's boxNumbers[i] is the i-th box query parameter here.
                throw new ArchiveValidationException([.. ex.Errors.Select(e => e.Field.StartsWith("boxNumbers", StringComparison.Ordinal) ? e with { Field = "box" + e.Field["boxNumbers".Length..] } : e)]);
            }

            await ArchiveScope.AuditReadAsync(http, AuditActions.Export, "storage-room", roomCode, $"box labels: {result.Boxes} boxes, {result.Files} files", cancellationToken).ConfigureAwait(false);
            return Answer(http, result);
        });

    private static Task<IResult> Report(string roomCode, [FromQuery] string? format, [FromQuery] string? box, HttpContext http, LocationService locations, IOptions<ArchiveOptions> archiveOptions, CancellationToken cancellationToken)
    {
        var wanted = format is null || string.Equals(format, "xlsx", StringComparison.OrdinalIgnoreCase) ? LocationReportFormat.Xlsx
            : string.Equals(format, "docx", StringComparison.OrdinalIgnoreCase) ? LocationReportFormat.Docx
            : throw ApiRequestException.BadRequest("format", "location.format", "format is xlsx or docx.");
        return SpooledDownload.AnswerAsync(archiveOptions.Value, "location-report", async file =>
        {
            var result = await locations.WriteReportAsync(new LocationReportRequest { RoomCode = roomCode, BoxNumber = box, Format = wanted }, HttpCaller.Of(http), file, cancellationToken).ConfigureAwait(false);
            await ArchiveScope.AuditReadAsync(http, AuditActions.Export, "storage-room", roomCode, $"location report {wanted}{(box is null ? string.Empty : " box " + box)}: {result.Files} files in {result.Boxes} boxes", cancellationToken).ConfigureAwait(false);
            return Answer(http, result);
        });
    }

    private static (string MediaType, string FileName) Answer(HttpContext http, LocationFileResult result)
    {
        http.Response.Headers["Archive-Location-Files"] = result.Files.ToString(System.Globalization.CultureInfo.InvariantCulture);
        http.Response.Headers["Archive-Location-Boxes"] = result.Boxes.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return (result.MediaType, result.FileName);
    }

    private static async Task<Ok<RecordFileDto>> Move(string fileCode, HttpContext http, LocationService locations, RecordFileService files, ArchiveApiMapper mapper, CancellationToken cancellationToken)
    {
        var expected = ETags.ExpectedVersion(http.Request, required: false);
        var body = await JsonBody.ReadAsync<PhysicalLocationDto>(http.Request, cancellationToken).ConfigureAwait(false);
        var result = await locations.MoveAsync(fileCode, mapper.Map<PhysicalLocation>(body), expected, HttpCaller.Of(http), RequestContext.User(http), cancellationToken).ConfigureAwait(false);
        return await RecordFileEndpoints.WrittenAsync(http, files, result, mapper, null, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<Ok<RecordFileDto>> Unplace(string fileCode, HttpContext http, LocationService locations, RecordFileService files, ArchiveApiMapper mapper, CancellationToken cancellationToken)
    {
        var expected = ETags.ExpectedVersion(http.Request, required: false);
        var result = await locations.MoveAsync(fileCode, null, expected, HttpCaller.Of(http), RequestContext.User(http), cancellationToken).ConfigureAwait(false);
        return await RecordFileEndpoints.WrittenAsync(http, files, result, mapper, null, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<Ok<RecordFileDto>> SetCarrier(string fileCode, HttpContext http, LocationService locations, RecordFileService files, ArchiveApiMapper mapper, CancellationToken cancellationToken)
    {
        var expected = ETags.ExpectedVersion(http.Request, required: false);
        var body = await JsonBody.ReadAsync<DigitalCarrierDto>(http.Request, cancellationToken).ConfigureAwait(false);
        var result = await locations.SetCarrierAsync(fileCode, mapper.Map<DigitalCarrier>(body), expected, HttpCaller.Of(http), RequestContext.User(http), cancellationToken).ConfigureAwait(false);
        return await RecordFileEndpoints.WrittenAsync(http, files, result, mapper, null, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<Ok<RecordFileDto>> ClearCarrier(string fileCode, HttpContext http, LocationService locations, RecordFileService files, ArchiveApiMapper mapper, CancellationToken cancellationToken)
    {
        var expected = ETags.ExpectedVersion(http.Request, required: false);
        var result = await locations.SetCarrierAsync(fileCode, null, expected, HttpCaller.Of(http), RequestContext.User(http), cancellationToken).ConfigureAwait(false);
        return await RecordFileEndpoints.WrittenAsync(http, files, result, mapper, null, cancellationToken).ConfigureAwait(false);
    }
}
