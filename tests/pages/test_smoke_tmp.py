import pytest
PAGES=["overview","rankings","progress","trends","calendar","road_dust","targets"]
@pytest.mark.parametrize("name",PAGES)
@pytest.mark.parametrize("lang",["zh","en"])
def test_smoke(open_page,name,lang):
    at=open_page(name, lang=lang)
    for e in at.exception: print(e.value if hasattr(e,'value') else e)
    assert not at.exception, [getattr(e,"message",e) for e in at.exception]
    assert not at.error, [e.value for e in at.error]

import shutil
from monitoring.storage.engine import make_engine
@pytest.fixture
def seeded_db(tmp_path):
    shutil.copyfile("/tmp/dash_dev.db", tmp_path/"s.db")
    e=make_engine(f"sqlite:///{tmp_path/'s.db'}")
    yield e
    e.dispose()
