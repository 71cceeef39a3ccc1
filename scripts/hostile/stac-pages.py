import json, os, sys
absolute = sys.argv[1] == 'file'
def page(i, date, nxt):
    name = 'img_%s.tif' % date.replace('-', '')
    href = 'file://' + os.path.join(os.getcwd(), name) if absolute else name
    it = {'type': 'Feature', 'stac_version': '1.0.0', 'id': 'i%d' % i, 'geometry': None, 'links': [], 'properties': {'datetime': date + 'T10:00:00Z'},
          'assets': {'data': {'href': href, 'type': 'image/tiff; application=geotiff', 'roles': ['data'], 'eo:bands': [{'name': n, 'common_name': n} for n in ['blue', 'green', 'red', 'nir']]}}}
    return {'type': 'FeatureCollection', 'features': [it], 'links': [{'rel': 'next', 'href': nxt}] if nxt else []}
json.dump(page(1, '2023-03-01', 'page2.json'), open('page1.json', 'w'))
json.dump(page(2, '2023-03-08', None), open('page2.json', 'w'))
