#!/usr/bin/env python3
"""Writes the hostile corpus beside this script (run once; the files are
committed). tests/integration/hostile.rs holds each file's exact outcome.
encrypted.xlsx is made by LibreOffice from ok.fods:
    soffice --headless --convert-to 'xlsx:Calc MS Excel 2007 XML:{"EncryptionPassword":{"type":"string","value":"secret"}}' ...
"""
import os
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
HEADER = 'member_id,certified_on,institution,program,program_area,course_id,completed_on,credit_hours,grade'
ROW = '5,2020-01-01,Riverside CC,AAS HIT,Health Care,{course},2025-03-14,1,A'


def write(name, data):
    with open(os.path.join(HERE, name), 'wb') as f:
        f.write(data if isinstance(data, bytes) else data.encode('utf-8'))


def csv(course, sep=',', header=HEADER):
    return header.replace(',', sep) + '\r\n' + ROW.format(course=course).replace(',', sep) + '\r\n'


write('utf8_bom.csv', b'\xef\xbb\xbf' + csv('BOM').encode())
write('utf16le.txt', b'\xff\xfe' + csv('U16LE', '\t').encode('utf-16-le'))
write('utf16be.csv', b'\xfe\xff' + csv('U16BE').encode('utf-16-be'))
write('cp1252.csv', csv('Caf\u00e9').encode('cp1252'))
write('semicolon.csv', csv('SEMI', ';'))
write('pipe.csv', csv('PIPE', '|'))
write('tab.tsv', csv('TAB', '\t'))
write('ragged_short.csv', HEADER + '\n' + '5,2020-01-01,Riverside CC,AAS HIT,Health Care,SHORT,2025-03-14,1\n')
write('ragged_long.csv', HEADER + '\n' + ROW.format(course='LONG') + ',,surprise\n')
write('unbalanced_quote.csv', HEADER + '\n' + ROW.format(course='"OPEN') + '\n' + ROW.format(course='AFTER') + '\n')
write('nul_byte.csv', HEADER + '\n' + ROW.format(course='N\x00UL') + '\n')
write('big_cell.csv', HEADER + '\n' + ROW.format(course='BIG' + 'X' * 1_000_000) + '\n')
write('wide.csv', HEADER + ''.join(f',extra{i}' for i in range(10_000)) + '\n' + ROW.format(course='WIDE') + ',' * 10_000 + '\n')
write('empty.csv', b'')
write('header_only.csv', HEADER + '\n')
write('html_as_xlsx.xlsx', '<!DOCTYPE html><html><body>Session expired</body></html>\n')
write('text_as_xls.xls', 'member_id,completed_on\n1,2025-01-01\n')
write('binary.csv', bytes(range(256)) * 4)

# A workbook cut in half.
with open(os.path.join(HERE, '..', 'fixtures', 'lo_1904.xlsx'), 'rb') as f:
    whole = f.read()
write('truncated.xlsx', whole[: len(whole) // 2])


def xlsx(name, sheet_xml, extra=None):
    with zipfile.ZipFile(os.path.join(HERE, name), 'w', zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr('[Content_Types].xml', '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>')
        z.writestr('_rels/.rels', '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
        z.writestr('xl/workbook.xml', '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>')
        z.writestr('xl/_rels/workbook.xml.rels', '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')
        z.writestr('xl/worksheets/sheet1.xml', sheet_xml)
        if extra:
            extra(z)


def inline(ref, text):
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


cols = 'ABCDEFGHI'
header_cells = ''.join(inline(f'{c}1', h) for c, h in zip(cols, HEADER.split(',')))
row_cells = ''.join(inline(f'{c}2', v) for c, v in zip(cols, ROW.format(course='STRAY').split(',')))
stray = ('<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
         '<dimension ref="A1:XFD1048576"/><sheetData>'
         f'<row r="1">{header_cells}</row><row r="2">{row_cells}</row>'
         f'<row r="1048576">{inline("XFD1048576", "stray")}</row></sheetData></worksheet>')
xlsx('stray_cell.xlsx', stray)


def bomb(z):
    with z.open('xl/sharedStrings.xml', 'w', force_zip64=True) as f:
        chunk = b' ' * (1 << 20)
        for _ in range(1100):
            f.write(chunk)


xlsx('zip_bomb.xlsx', stray.replace('STRAY', 'BOMB'), bomb)


# Rows out of sheet order, the header last, and row 2's cells in two
# pieces around it, as some writers leave them: read as the sheet shows them.
def cells(row, course, columns):
    values = dict(zip(cols, ROW.format(course=course).split(',')))
    return ''.join(inline(f'{c}{row}', values[c]) for c in columns)


unordered = ('<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
             '<dimension ref="A1:I3"/><sheetData>'
             f'<row r="3">{cells(3, "THREE", cols)}</row>'
             f'<row r="2">{cells(2, "TWO", "ABCDE")}</row>'
             f'<row r="1">{header_cells}</row>'
             f'<row r="2">{cells(2, "TWO", "FGHI")}</row></sheetData></worksheet>')
xlsx('rows_out_of_order.xlsx', unordered)

# The same with the header first: the header is found and rows normalized
# before a row out of order makes the sheet be read again whole.
after_header = ('<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                '<dimension ref="A1:I3"/><sheetData>'
                f'<row r="1">{header_cells}</row>'
                f'<row r="3">{cells(3, "THREE", cols)}</row>'
                f'<row r="2">{cells(2, "TWO", "ABCDE")}</row>'
                f'<row r="2">{cells(2, "TWO", "FGHI")}</row></sheetData></worksheet>')
xlsx('rows_out_of_order_after_header.xlsx', after_header)
